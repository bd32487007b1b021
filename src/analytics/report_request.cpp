#include "analytics/report_request.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "collect/event_parser.h"
#include "common/config.h"
#include "common/errors.h"

namespace cinerec::analytics {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::size_t kMaxTextChars = 64;

std::int64_t ParseTime(const std::string& name, const std::string& text) {
  std::int64_t unix_ms = 0;
  // A bare date is midnight UTC: the common way to ask for whole days.
  const bool is_date = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!collect::ParseRfc3339(is_date ? text + "T00:00:00Z" : text, unix_ms))
    throw Unprocessable(name,
                        "must be an ISO-8601 UTC time such as 2026-11-01T00:00:00Z or a date 2026-11-01");
  if (unix_ms < 0 || unix_ms % 1000 != 0) throw Unprocessable(name, "must be in whole seconds after 1970");
  return unix_ms / 1000;
}

std::int64_t ParseInteger(const std::string& name, const std::string& text, std::int64_t min,
                          std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    throw Unprocessable(name,
                        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return value;
}

// Letters, digits and ._-: device names, model versions and variants are identifiers, never free text.
std::string ParseToken(const std::string& name, const std::string& text) {
  if (text.empty() || text.size() > kMaxTextChars)
    throw Unprocessable(name, "must be 1 to " + std::to_string(kMaxTextChars) + " characters");
  for (unsigned char c : text)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != ':')
      throw Unprocessable(name, "may contain only letters, digits and . _ - :");
  return text;
}

std::string ParseOneOf(const std::string& name, const std::string& text,
                       std::initializer_list<const char*> values) {
  std::string list;
  for (const char* value : values) {
    if (text == value) return text;
    list += (list.empty() ? "" : ", ") + std::string(value);
  }
  throw Unprocessable(name, "must be one of " + list);
}

// Genre names are letters, digits, spaces and -'&/ (e.g. "Film-Noir", "Children's", "Sci-Fi"); whether the
// genre exists is checked by the service against movies_dim.
std::string ParseGenre(const std::string& text) {
  if (text.empty() || text.size() > kMaxTextChars) throw Unprocessable("genre", "must be 1 to 64 characters");
  for (unsigned char c : text)
    if (!std::isalnum(c) && c != ' ' && c != '-' && c != '\'' && c != '&' && c != '/' && c != '(' && c != ')')
      throw Unprocessable("genre", "is not a genre name");
  return text;
}

}  // namespace

ReportRequest ParseReportRequest(const std::map<std::string, std::string>& query,
                                 const ReportParameters& accepted, const AnalyticsConfig& config,
                                 std::int64_t now_s) {
  ReportRequest request;
  for (const auto& [name, value] : query) {
    const bool known =
        name == "from" || name == "to" || (name == "granularity" && accepted.granularity)
        || (name == "limit" && accepted.limit) || (name == "window" && accepted.window)
        || (name == "by" && accepted.by)
        || ((name == "variant_a" || name == "variant_b" || name == "confidence") && accepted.compare)
        || accepted.filters.count(name) > 0;
    if (!known) throw Unprocessable(name, "is not a parameter of this report");
    (void)value;
  }
  auto get = [&query](const char* name) -> const std::string* {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  };

  request.to = get("to") ? ParseTime("to", *get("to")) : (now_s / kHour + 1) * kHour;
  request.from = get("from") ? ParseTime("from", *get("from")) : request.to - 7 * kDay;
  if (request.to <= request.from) throw Unprocessable("to", "must be after from");
  if (request.to - request.from > static_cast<std::int64_t>(config.max_range_days) * kDay)
    throw Unprocessable("to",
                        "the range may span at most " + std::to_string(config.max_range_days) + " days");

  if (const auto* g = get("granularity")) {
    const auto name = ParseOneOf("granularity", *g, {"hour", "day", "week"});
    request.granularity = name == "hour"  ? Granularity::kHour
                          : name == "day" ? Granularity::kDay
                                          : Granularity::kWeek;
  }
  if (accepted.granularity) {
    const std::int64_t step = request.granularity == Granularity::kHour ? kHour : kDay;
    if ((request.to - request.from) / step > kMaxBuckets)
      throw Unprocessable("granularity", "too many periods for this range; use a coarser granularity");
  }
  if (const auto* v = get("limit")) request.limit = static_cast<int>(ParseInteger("limit", *v, 1, kMaxLimit));
  if (const auto* v = get("window")) request.window_s = ParseInteger("window", *v, 1, 30 * kDay);
  if (const auto* v = get("by"))
    request.by = ParseOneOf("by", *v, {"model_version", "variant", "source", "position"});

  auto& f = request.filters;
  if (const auto* v = get("genre")) f.genre = ParseGenre(*v);
  if (const auto* v = get("movie"))
    f.movie_id = static_cast<std::uint64_t>(ParseInteger("movie", *v, 1, INT64_MAX));
  if (const auto* v = get("device")) f.device = ParseToken("device", *v);
  if (const auto* v = get("country")) {
    if (v->size() != 2 || !std::isupper(static_cast<unsigned char>((*v)[0]))
        || !std::isupper(static_cast<unsigned char>((*v)[1])))
      throw Unprocessable("country", "must be an ISO 3166-1 alpha-2 code such as DE");
    f.country = *v;
  }
  if (const auto* v = get("tier")) f.tier = ParseOneOf("tier", *v, {"free", "basic", "premium"});
  if (const auto* v = get("model_version")) f.model_version = ParseToken("model_version", *v);
  if (const auto* v = get("variant")) f.variant = ParseToken("variant", *v);
  if (const auto* v = get("source"))
    f.source = ParseOneOf("source", *v,
                          {"personal", "fold_in", "content", "cold_start", "trending", "similar", "popular"});

  if (accepted.compare) {
    const auto* a = get("variant_a");
    const auto* b = get("variant_b");
    if (!a || !b) throw Unprocessable(a ? "variant_b" : "variant_a", "is required");
    request.variant_a = ParseToken("variant_a", *a);
    request.variant_b = ParseToken("variant_b", *b);
    if (request.variant_a == request.variant_b)
      throw Unprocessable("variant_b", "must differ from variant_a");
    if (const auto* c = get("confidence")) {
      const auto text = ParseOneOf("confidence", *c, {"0.8", "0.9", "0.95", "0.99"});
      request.confidence = std::stod(text);
    }
  }
  return request;
}

std::string FormatTime(std::int64_t unix_s) {
  return collect::FormatRfc3339(unix_s * 1000).substr(0, 19) + "Z";
}

std::int64_t PeriodStart(Granularity granularity, std::int64_t t) {
  switch (granularity) {
    case Granularity::kHour:
      return t / kHour * kHour;
    case Granularity::kDay:
      return t / kDay * kDay;
    case Granularity::kWeek: {
      const std::int64_t day = t / kDay;
      return (day - (day + 3) % 7) * kDay;  // 1970-01-01 was a Thursday: (day + 3) % 7 == 0 on Mondays
    }
  }
  return t;
}

std::int64_t NextPeriod(Granularity granularity, std::int64_t period_start) {
  switch (granularity) {
    case Granularity::kHour:
      return period_start + kHour;
    case Granularity::kDay:
      return period_start + kDay;
    case Granularity::kWeek:
      return period_start + 7 * kDay;
  }
  return period_start + kDay;
}

const char* GranularityName(Granularity granularity) {
  switch (granularity) {
    case Granularity::kHour:
      return "hour";
    case Granularity::kDay:
      return "day";
    case Granularity::kWeek:
      return "week";
  }
  return "day";
}

}  // namespace cinerec::analytics
