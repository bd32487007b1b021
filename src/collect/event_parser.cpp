#include "collect/event_parser.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/errors.h"
#include "common/utf8.h"

namespace cinerec::collect {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxIdChars = 128;       // session_id
constexpr std::size_t kMaxShortChars = 64;     // device, target, request_id
constexpr std::size_t kMaxSectionChars = 128;  // section
constexpr std::int64_t kMaxRank = 10000;
constexpr std::int64_t kMaxResults = 100000000;

// One event's first problem; caught per event so that the rest of the batch goes on.
struct Reject {
  std::string code, field, message;
};

[[noreturn]] void Invalid(std::string field, std::string message) {
  throw Reject{"invalid_field", std::move(field), std::move(message)};
}

// Reads the members of one event object, checking type and range as it goes.
class EventReader {
 public:
  explicit EventReader(const json::object& object) : object_(object) {}

  const json::value* Find(std::string_view name) const {
    const auto* value = object_.if_contains(name);
    return value != nullptr && !value->is_null() ? value : nullptr;  // null means absent
  }
  bool Has(std::string_view name) const { return Find(name) != nullptr; }

  const json::value& Require(std::string_view name) const {
    const auto* value = Find(name);
    if (value == nullptr) throw Reject{"missing_field", std::string(name), "is required for this event type"};
    return *value;
  }

  // Text stored verbatim by PostgreSQL and ClickHouse: valid UTF-8 (JSON escapes can still produce lone
  // surrogates or NUL), no NUL, at most max_bytes bytes.
  std::string Text(std::string_view name, std::size_t max_bytes, bool required) const {
    const auto* value = required ? &Require(name) : Find(name);
    if (value == nullptr) return {};
    const auto* text = value->if_string();
    if (text == nullptr) Invalid(std::string(name), "must be a string");
    if (text->size() > max_bytes)
      Invalid(std::string(name), "must be at most " + std::to_string(max_bytes) + " bytes");
    if (text->find('\0') != json::string::npos || !IsValidUtf8(*text))
      Invalid(std::string(name), "must be UTF-8 text without NUL characters");
    if (required && text->find_first_not_of(" \t\r\n") == json::string::npos)
      Invalid(std::string(name), "must not be empty");
    return std::string(*text);
  }

  // A JSON integer in [min, max]; absent -> 0 unless required.
  std::int64_t Integer(std::string_view name, std::int64_t min, std::int64_t max, bool required) const {
    const auto* value = required ? &Require(name) : Find(name);
    if (value == nullptr) return 0;
    std::int64_t number = 0;
    if (const auto* i = value->if_int64()) {
      number = *i;
    } else if (const auto* u = value->if_uint64()) {  // above INT64_MAX: out of every range
      (void)u;
      Invalid(std::string(name), RangeMessage(min, max));
    } else {
      Invalid(std::string(name), "must be an integer");
    }
    if (number < min || number > max) Invalid(std::string(name), RangeMessage(min, max));
    return number;
  }

  // Seconds within a movie: a non-negative number (fractions are truncated; players report 12.48 s).
  std::uint32_t Seconds(std::string_view name, std::uint32_t max, bool required) const {
    const auto* value = required ? &Require(name) : Find(name);
    if (value == nullptr) return 0;
    double number = 0;
    if (const auto* i = value->if_int64()) {
      number = static_cast<double>(*i);
    } else if (const auto* u = value->if_uint64()) {
      number = static_cast<double>(*u);
    } else if (const auto* d = value->if_double()) {
      number = *d;
    } else {
      Invalid(std::string(name), "must be a number of seconds");
    }
    if (!std::isfinite(number) || number < 0 || number > static_cast<double>(max))
      Invalid(std::string(name), "must be a number of seconds from 0 to " + std::to_string(max));
    return static_cast<std::uint32_t>(number);
  }

 private:
  static std::string RangeMessage(std::int64_t min, std::int64_t max) {
    return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  }
  const json::object& object_;
};

void ReadTypeFields(const EventReader& in, const ParseLimits& limits, Event& event) {
  const auto max_s = limits.max_seconds;
  if (IsWatchEvent(event.type) || IsReactionEvent(event.type) || event.type == EventType::kTrailerPlay) {
    event.movie_id = in.Integer("movie_id", 1, INT64_MAX, true);
  } else {
    event.movie_id = in.Integer("movie_id", 1, INT64_MAX, false);
  }
  // A watch session is a row of PostgreSQL views keyed by session_id: required for the watch log.
  event.session_id = in.Text("session_id", kMaxIdChars, IsWatchEvent(event.type));
  switch (event.type) {
    case EventType::kViewStart:
      event.position_s = in.Seconds("position", max_s, false);  // resume point
      break;
    case EventType::kViewProgress:
    case EventType::kViewPause:
      event.position_s = in.Seconds("position", max_s, true);
      break;
    case EventType::kViewSeek:
      event.seek_from_s = in.Seconds("from", max_s, true);
      event.seek_to_s = in.Seconds("to", max_s, true);
      event.position_s = event.seek_to_s;
      break;
    case EventType::kViewStop:
      event.position_s = in.Seconds("position", max_s, true);
      event.watched_s = in.Seconds("watched_seconds", max_s, true);
      break;
    case EventType::kLike:
    case EventType::kDislike:
    case EventType::kReactionClear:
      break;
    case EventType::kClick:
      event.target = in.Text("target", kMaxShortChars, true);
      [[fallthrough]];
    case EventType::kTrailerPlay:
      event.section = in.Text("section", kMaxSectionChars, false);
      event.request_id = in.Text("request_id", kMaxShortChars, false);
      event.rank = static_cast<std::uint16_t>(in.Integer("rank", 1, kMaxRank, false));
      break;
    case EventType::kSearch:
      event.query = in.Text("query", limits.max_query_chars, true);
      event.results = static_cast<std::uint32_t>(in.Integer("results", 0, kMaxResults, true));
      break;
    case EventType::kPageView:
      event.section = in.Text("section", kMaxSectionChars, true);
      break;
  }
}

Event ReadEvent(const json::value& value, const Caller& caller, const ParseLimits& limits,
                std::int64_t now_ms, std::string& event_id_seen) {
  const auto* object = value.if_object();
  if (object == nullptr) throw Reject{"invalid_event", "", "each event must be a JSON object"};
  const EventReader in(*object);
  Event event;
  event.received_ms = now_ms;

  const auto* id = in.Find("event_id");
  if (id != nullptr && id->is_string()) event_id_seen = std::string(id->get_string()).substr(0, 64);
  while (!IsValidUtf8(event_id_seen))
    event_id_seen.pop_back();  // the cut must not split a character
  if (id == nullptr) throw Reject{"missing_field", "event_id", "is required (a UUID chosen by the client)"};
  if (!id->is_string() || !NormaliseUuid(id->get_string(), event.event_id))
    Invalid("event_id", "must be a UUID such as 0b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3");

  const auto* type_value = &in.Require("type");
  const auto* type_text = type_value->if_string();
  const auto type = type_text ? EventTypeFromName(*type_text) : std::nullopt;
  if (!type)
    throw Reject{"unknown_type", "type",
                 "must be one of view_start, view_progress, view_pause, view_seek, view_stop, like, dislike, "
                 "reaction_clear, click, trailer_play, search, page_view"};
  event.type = *type;

  const auto* stamp = &in.Require("timestamp");
  if (!stamp->is_string() || !ParseRfc3339(stamp->get_string(), event.event_time_ms))
    Invalid("timestamp", "must be an RFC 3339 date-time with a time zone, e.g. 2026-11-24T10:15:30.125Z");
  const auto skew_ms = std::chrono::duration_cast<std::chrono::milliseconds>(limits.max_future_skew).count();
  const auto age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(limits.max_age).count();
  if (event.event_time_ms > now_ms + skew_ms)
    Invalid("timestamp", "is in the future by more than " + std::to_string(limits.max_future_skew.count())
                             + " s (check the client clock)");
  if (event.event_time_ms < now_ms - age_ms)
    Invalid("timestamp",
            "is older than " + std::to_string(limits.max_age.count()) + " s; events that old are not taken");

  if (in.Has("user_id")) {
    event.user_id = in.Integer("user_id", 1, INT64_MAX, true);
    if (!caller.is_admin && event.user_id != caller.user_id)
      throw Reject{"forbidden", "user_id", "a viewer may only send events for themself"};
  } else if (caller.user_id > 0) {
    event.user_id = caller.user_id;  // a signed-in caller's own events need not repeat the id
  } else {
    throw Reject{"missing_field", "user_id", "is required for events sent with an API key"};
  }
  event.device = in.Text("device", kMaxShortChars, false);
  ReadTypeFields(in, limits, event);
  return event;
}

int Digit(char c) {
  return c >= '0' && c <= '9' ? c - '0' : -1;
}

// Reads `count` digits at text[pos...] into value.
bool Digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const int d = Digit(text[pos + i]);
    if (d < 0) return false;
    value = value * 10 + d;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ParsedBatch ParseEventBatch(std::string_view body, const Caller& caller, const ParseLimits& limits,
                            std::int64_t now_ms) {
  // One arena for the whole document: a 1,000-event batch is thousands of small allocations otherwise.
  json::monotonic_resource arena;
  json::parse_options options;
  options.max_depth = 8;  // events are flat; deep nesting is an attack, not data
  boost::system::error_code ec;
  const auto document = json::parse(body, ec, &arena, options);
  if (ec) throw BadRequest("body is not valid JSON: " + ec.message());
  const auto* root = document.if_object();
  const auto* events_value = root != nullptr ? root->if_contains("events") : nullptr;
  if (events_value == nullptr) throw Unprocessable("events", "the body must be {\"events\": [ ... ]}");
  const auto* events = events_value->if_array();
  if (events == nullptr) throw Unprocessable("events", "must be an array of event objects");
  if (events->empty()) throw Unprocessable("events", "must hold at least one event");
  if (events->size() > limits.max_events)
    throw ApiError(413, "batch_too_large",
                   "events: at most " + std::to_string(limits.max_events) + " events per batch, got "
                       + std::to_string(events->size()) + "; split the batch");

  ParsedBatch batch;
  batch.total = events->size();
  batch.events.reserve(events->size());
  batch.indices.reserve(events->size());
  for (std::size_t i = 0; i < events->size(); ++i) {
    std::string event_id;
    try {
      batch.events.push_back(ReadEvent((*events)[i], caller, limits, now_ms, event_id));
      batch.indices.push_back(i);
    } catch (Reject& reject) {
      batch.rejections.push_back({i, std::move(event_id), std::move(reject.code), std::move(reject.field),
                                  std::move(reject.message)});
    }
  }
  return batch;
}

bool ParseRfc3339(std::string_view text, std::int64_t& unix_ms) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !Digits(text, 5, 2, month)
      || text[7] != '-' || !Digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
      || !Digits(text, 11, 2, hour) || text[13] != ':' || !Digits(text, 14, 2, minute) || text[16] != ':'
      || !Digits(text, 17, 2, second))
    return false;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    while (pos < text.size() && Digit(text[pos]) >= 0) {
      if (pos - first < 3) millis = millis * 10 + Digit(text[pos]);
      ++pos;
    }
    if (pos == first || pos - first > 9) return false;
    for (auto n = pos - first; n < 3; ++n)
      millis *= 10;
  }
  if (pos >= text.size()) return false;
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!Digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':'
        || !Digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
      return false;
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != text.size()) return false;
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  // second 60 is a leap second: RFC 3339 allows it; it is counted as :59.999.
  if (!date.ok() || year < 1970 || hour > 23 || minute > 59 || second > 60) return false;
  if (second == 60) second = 59, millis = 999;
  const auto days = sys_days(date).time_since_epoch().count();
  unix_ms = ((static_cast<std::int64_t>(days) * 24 + hour) * 60 + minute - offset_minutes) * 60'000LL
            + second * 1000LL + millis;
  return unix_ms >= 0 && unix_ms <= 253'402'300'799'999;  // UTC 1970..9999, what FormatRfc3339 writes
}

std::string FormatRfc3339(std::int64_t unix_ms) {
  using namespace std::chrono;
  const auto ms = milliseconds(unix_ms);
  const auto days = floor<std::chrono::days>(ms);
  const year_month_day date{sys_days(days)};
  const auto in_day = (ms - days).count();
  char buffer[96];  // generous: the compiler cannot bound the fields
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(in_day / 3'600'000),
                static_cast<long long>(in_day / 60'000 % 60), static_cast<long long>(in_day / 1000 % 60),
                static_cast<long long>(in_day % 1000));
  return buffer;
}

bool NormaliseUuid(std::string_view text, std::string& out) {
  if (text.size() != 36) return false;
  out.resize(36);
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
      out[i] = '-';
    } else {
      const int v = HexValue(c);
      if (v < 0) return false;
      out[i] = "0123456789abcdef"[v];
    }
  }
  return true;
}

}  // namespace cinerec::collect
