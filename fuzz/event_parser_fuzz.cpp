// libFuzzer target: POST /v1/events bodies through ParseEventBatch (src/collect/event_parser.h).
//
// The input is the request body, parsed three times: as a viewer (user 42), as an admin API key (user 0), and
// as the viewer with tight limits. The only exception allowed out of the parser is cinerec::ApiError with
// status 400, 413 or 422 (anything else escapes and libFuzzer reports it). For every batch it checks:
//  - the bookkeeping: every position of the batch is either accepted (indices) or rejected, exactly once, in
//    order;
//  - every accepted event obeys the parser's own rules (canonical UUID, timestamp inside the window, strings
//    valid UTF-8 without NUL and within their limits, fields of other event types left empty, ...);
//  - the accepted events go through the spool codec (EncodeEvents / DecodeEvents) unchanged, and their
//    timestamp through FormatRfc3339 / ParseRfc3339 unchanged;
//  - the viewer and admin parses differ only where the caller matters (user_id).
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collect/event_codec.h"
#include "collect/event_parser.h"
#include "common/errors.h"
#include "fuzz_check.h"
#include "reference.h"

namespace {

using namespace cinerec::collect;
using cinerec::fuzz::Blank;
using cinerec::fuzz::StorableText;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-18T11:06:40Z, as in event_parser_test.cpp
constexpr std::int64_t kViewerId = 42;
const Caller kViewer{kViewerId, false};
const Caller kAdmin{0, true};

ParseLimits TightLimits() {
  ParseLimits limits;
  limits.max_events = 3;
  limits.max_future_skew = std::chrono::seconds(0);
  limits.max_age = std::chrono::seconds(60);
  limits.max_seconds = 3600;
  limits.max_query_chars = 8;
  return limits;
}

// The parser's private limits (event_parser.cpp), restated.
constexpr std::size_t kMaxIdChars = 128, kMaxShortChars = 64, kMaxSectionChars = 128;
constexpr std::uint16_t kMaxRank = 10000;
constexpr std::uint32_t kMaxResults = 100000000;

void CheckText(const std::string& text, std::size_t max_bytes, bool required, const char* what) {
  FUZZ_CHECK(text.size() <= max_bytes, what);
  FUZZ_CHECK(StorableText(text), what);
  if (required) FUZZ_CHECK(!Blank(text), what);
}

void CheckEvent(const Event& e, const Caller& caller, const ParseLimits& limits) {
  FUZZ_CHECK(cinerec::fuzz::UuidText(e.event_id, true), "event_id is a canonical lower-case UUID");
  const auto type = static_cast<int>(e.type);
  FUZZ_CHECK(type >= 1 && type <= kEventTypeCount, "type is a known event type");
  FUZZ_CHECK(EventTypeFromName(EventTypeName(e.type)) == e.type, "type name round-trips");
  FUZZ_CHECK(e.received_ms == kNow, "received_ms is the server's now");

  const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(limits.max_future_skew).count();
  const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(limits.max_age).count();
  FUZZ_CHECK(e.event_time_ms <= kNow + skew && e.event_time_ms >= kNow - age, "timestamp inside the window");
  std::int64_t again = 0;
  FUZZ_CHECK(ParseRfc3339(FormatRfc3339(e.event_time_ms), again) && again == e.event_time_ms,
             "accepted timestamp round-trips through FormatRfc3339 / ParseRfc3339");

  FUZZ_CHECK(e.user_id >= 1, "user_id positive");
  if (!caller.is_admin) FUZZ_CHECK(e.user_id == caller.user_id, "a viewer's events are their own");

  const bool watch = IsWatchEvent(e.type), reaction = IsReactionEvent(e.type);
  const bool ui = e.type == EventType::kClick || e.type == EventType::kTrailerPlay;
  if (watch || reaction || e.type == EventType::kTrailerPlay)
    FUZZ_CHECK(e.movie_id >= 1, "movie_id required for this type");
  else
    FUZZ_CHECK(e.movie_id >= 0, "movie_id absent (0) or positive");

  CheckText(e.session_id, kMaxIdChars, watch, "session_id");
  CheckText(e.device, kMaxShortChars, false, "device");
  CheckText(e.target, kMaxShortChars, e.type == EventType::kClick, "target");
  CheckText(e.section, kMaxSectionChars, e.type == EventType::kPageView, "section");
  CheckText(e.request_id, kMaxShortChars, false, "request_id");
  CheckText(e.query, limits.max_query_chars, e.type == EventType::kSearch, "query");

  for (auto seconds : {e.position_s, e.seek_from_s, e.seek_to_s, e.watched_s})
    FUZZ_CHECK(seconds <= limits.max_seconds, "seconds within max_seconds");
  FUZZ_CHECK(e.rank <= kMaxRank && e.results <= kMaxResults, "rank and results within their bounds");

  // Fields of other event types stay zero / empty.
  if (!watch) FUZZ_CHECK(e.position_s == 0, "position only on watch events");
  if (e.type != EventType::kViewSeek)
    FUZZ_CHECK(e.seek_from_s == 0 && e.seek_to_s == 0, "from/to only on seek");
  if (e.type == EventType::kViewSeek) FUZZ_CHECK(e.position_s == e.seek_to_s, "a seek's position is its to");
  if (e.type != EventType::kViewStop) FUZZ_CHECK(e.watched_s == 0, "watched_seconds only on view_stop");
  if (e.type != EventType::kClick) FUZZ_CHECK(e.target.empty(), "target only on click");
  if (!ui && e.type != EventType::kPageView) FUZZ_CHECK(e.section.empty(), "section only on UI events");
  if (!ui) FUZZ_CHECK(e.request_id.empty() && e.rank == 0, "request_id and rank only on click/trailer_play");
  if (e.type != EventType::kSearch)
    FUZZ_CHECK(e.query.empty() && e.results == 0, "query/results only on search");
}

const std::set<std::string> kRejectionCodes = {"invalid_event", "missing_field", "invalid_field",
                                               "unknown_type", "forbidden"};

void CheckBatch(const ParsedBatch& batch, const Caller& caller, const ParseLimits& limits) {
  FUZZ_CHECK(batch.total >= 1 && batch.total <= limits.max_events, "total within 1..max_events");
  FUZZ_CHECK(batch.events.size() == batch.indices.size(), "one index per accepted event");
  FUZZ_CHECK(batch.events.size() + batch.rejections.size() == batch.total, "accepted + rejected == total");
  std::vector<bool> seen(batch.total, false);
  for (std::size_t i = 0; i < batch.indices.size(); ++i) {
    FUZZ_CHECK(batch.indices[i] < batch.total, "index < total");
    FUZZ_CHECK(i == 0 || batch.indices[i] > batch.indices[i - 1], "indices strictly increasing");
    seen[batch.indices[i]] = true;
    CheckEvent(batch.events[i], caller, limits);
  }
  for (std::size_t i = 0; i < batch.rejections.size(); ++i) {
    const auto& r = batch.rejections[i];
    FUZZ_CHECK(r.index < batch.total, "rejection index < total");
    FUZZ_CHECK(i == 0 || r.index > batch.rejections[i - 1].index, "rejection indices strictly increasing");
    FUZZ_CHECK(!seen[r.index], "a position is either accepted or rejected, not both");
    seen[r.index] = true;
    FUZZ_CHECK(kRejectionCodes.count(r.code) == 1, "rejection code is a documented one");
    FUZZ_CHECK(!r.message.empty(), "rejection has a message");
    FUZZ_CHECK(r.event_id.size() <= 64, "rejection echoes at most 64 bytes of the event_id");
    // The rejection goes into the JSON response: its echo of the event_id must be valid UTF-8.
    FUZZ_CHECK(cinerec::fuzz::ReferenceUtf8(r.event_id), "rejection event_id is valid UTF-8");
  }

  // The spool stores exactly what was accepted.
  const auto record = EncodeEvents(batch.events);
  std::vector<Event> decoded;
  DecodeEvents(record, decoded);  // a CorruptRecord here escapes: libFuzzer reports it
  FUZZ_CHECK(decoded == batch.events, "accepted events round-trip through the spool codec");
  FUZZ_CHECK(EncodeEvents(decoded) == record, "spool encoding is deterministic");
}

// The parse of one body by one caller: the batch, or the ApiError's status.
struct Outcome {
  std::optional<ParsedBatch> batch;
  int status = 0;
};

Outcome Parse(std::string_view body, const Caller& caller, const ParseLimits& limits) {
  Outcome outcome;
  try {
    outcome.batch = ParseEventBatch(body, caller, limits, kNow);
  } catch (const cinerec::ApiError& e) {
    outcome.status = e.status();
    FUZZ_CHECK(e.status() == 400 || e.status() == 413 || e.status() == 422, "batch errors are 400/413/422");
    FUZZ_CHECK(!e.code().empty() && std::string_view(e.what()).size() > 0,
               "batch error has a code and message");
    return outcome;
  }
  CheckBatch(*outcome.batch, caller, limits);
  return outcome;
}

bool IsUserIdRejection(const Rejection& r, const char* code) {
  return r.code == code && r.field == "user_id";
}

// The caller only matters for user_id: a viewer is refused other users' events ("forbidden"), an admin key
// must name the user ("missing_field"). Everything else about each event must come out the same.
void CompareCallers(const Outcome& viewer, const Outcome& admin) {
  FUZZ_CHECK(viewer.status == admin.status, "batch-level errors do not depend on the caller");
  if (!viewer.batch) return;
  const auto& v = *viewer.batch;
  const auto& a = *admin.batch;
  FUZZ_CHECK(v.total == a.total, "same total for both callers");
  std::vector<const Event*> v_event(v.total, nullptr), a_event(v.total, nullptr);
  std::vector<const Rejection*> v_reject(v.total, nullptr), a_reject(v.total, nullptr);
  for (std::size_t i = 0; i < v.events.size(); ++i)
    v_event[v.indices[i]] = &v.events[i];
  for (std::size_t i = 0; i < a.events.size(); ++i)
    a_event[a.indices[i]] = &a.events[i];
  for (const auto& r : v.rejections)
    v_reject[r.index] = &r;
  for (const auto& r : a.rejections)
    a_reject[r.index] = &r;
  for (std::size_t i = 0; i < v.total; ++i) {
    if (v_event[i] && a_event[i]) {
      FUZZ_CHECK(*v_event[i] == *a_event[i], "an event both callers accept is parsed the same");
    } else if (v_event[i]) {
      FUZZ_CHECK(IsUserIdRejection(*a_reject[i], "missing_field"),
                 "the admin rejects a viewer-accepted event only for the missing user_id");
    } else if (a_event[i]) {
      FUZZ_CHECK(IsUserIdRejection(*v_reject[i], "forbidden"),
                 "the viewer rejects an admin-accepted event only as another user's");
    } else if (!IsUserIdRejection(*v_reject[i], "forbidden")
               && !IsUserIdRejection(*a_reject[i], "missing_field")) {
      FUZZ_CHECK(v_reject[i]->code == a_reject[i]->code && v_reject[i]->field == a_reject[i]->field
                     && v_reject[i]->event_id == a_reject[i]->event_id,
                 "both callers reject an event for the same reason");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto viewer = Parse(body, kViewer, ParseLimits{});
  const auto admin = Parse(body, kAdmin, ParseLimits{});
  CompareCallers(viewer, admin);
  Parse(body, kViewer, TightLimits());
  return 0;
}
