#pragma once
// What a report is asked: a time range, a granularity and filters, parsed from query parameters and
// validated strictly, so that nothing the caller sends reaches SQL unchecked (the values are also quoted when
// they are spliced in: two locks on the door). Mistakes throw ApiError (400/422) naming the parameter.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace cinerec {
struct AnalyticsConfig;
}

namespace cinerec::analytics {

enum class Granularity { kHour, kDay, kWeek };

// Filters: empty / nullopt = not filtered. The values are validated (see ParseReportRequest).
struct ReportFilters {
  std::string genre;           // the movie carries this genre (a genre movies_dim knows)
  std::uint64_t movie_id = 0;  // 0 = any
  std::string device;          // [A-Za-z0-9._-], up to 64 characters
  std::string country;         // ISO 3166-1 alpha-2, upper case
  std::string tier;            // free, basic, premium
  std::string model_version;   // recommendation reports only
  std::string variant;         // recommendation reports only
  std::string source;          // recommendation reports only: personal, fold_in, ...
};

struct ReportRequest {
  std::int64_t from = 0;  // Unix seconds UTC, inclusive
  std::int64_t to = 0;    // Unix seconds UTC, exclusive
  Granularity granularity = Granularity::kDay;
  ReportFilters filters;
  int limit = 10;                    // rows of "top" lists
  std::int64_t window_s = 0;         // conversion window; 0 = the configured default
  std::string by = "model_version";  // recommendations: model_version, variant, source, position
  std::string variant_a, variant_b;  // recommendations/compare
  double confidence = 0.95;          // recommendations/compare
};

// Which parameters a report takes besides from/to (anything else is refused as unknown).
struct ReportParameters {
  bool granularity = false;
  bool limit = false;
  bool window = false;
  bool by = false;
  bool compare = false;
  std::set<std::string> filters;  // "genre", "movie", "device", "country", "tier", "model_version", ...
};

// Parses `query` (decoded query parameters). from/to: RFC 3339 with a zone ("2026-11-01T00:00:00Z") or a
// date ("2026-11-01" = midnight UTC); defaults: to = the next full hour after now_s, from = to - 7 days.
// Refuses (422): unparsable values, to <= from, a range over config.max_range_days, hour granularity with
// more than kMaxBuckets periods, filter values outside their syntax, parameters the report does not take.
ReportRequest ParseReportRequest(const std::map<std::string, std::string>& query,
                                 const ReportParameters& accepted, const AnalyticsConfig& config,
                                 std::int64_t now_s);

inline constexpr int kMaxBuckets = 10000;
inline constexpr int kMaxLimit = 1000;

// "2026-11-24T10:00:00Z" for Unix seconds.
std::string FormatTime(std::int64_t unix_s);
// Start of the period containing t (UTC; weeks start on Monday) and the start of the next one.
std::int64_t PeriodStart(Granularity granularity, std::int64_t t);
std::int64_t NextPeriod(Granularity granularity, std::int64_t period_start);
const char* GranularityName(Granularity granularity);

}  // namespace cinerec::analytics
