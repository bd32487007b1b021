#pragma once
// The analytics reports (docs/analytics.md), straight from ClickHouse. Plain code: the HTTP adapter
// (services/analytics/analytics_routes.cpp) and `cinerec report` both call it.
//
// Every count is of distinct event ids (delivery is at least once: a replayed event must not count twice):
// event rows are collapsed per event_id in a subquery (GROUP BY event_id) or counted with uniqExact. Ranges
// are [from, to) in UTC. An empty range answers zeros. Throws ApiError (422) for a filter value ClickHouse
// does not know (an unknown genre), StoreError when ClickHouse cannot answer. Thread-safe.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "analytics/report_request.h"

namespace cinerec {
class ClickHouseClient;
}

namespace cinerec::analytics {

struct ServiceOptions {
  std::int64_t conversion_window_s = 24 * 3600;  // default impression/trailer -> outcome window
  std::int64_t search_window_s = 30 * 60;        // search -> click / watch window
  double completion_threshold = 0.9;             // share of the movie's length that completes a view
  // The conversion report joins at most about this many impressions per ClickHouse query: a larger range is
  // split into passes over disjoint shares of the users (recommendation_report.cpp).
  std::int64_t impressions_per_pass = 1'000'000;
  // Read sealed days from the daily rollups (rollups.h) where they carry what a report asks; false = raw
  // tables only (the answers are the same, only slower: the tests compare both).
  bool use_rollups = true;
};

class AnalyticsService {
 public:
  // REQUIRES: clickhouse outlives the service.
  AnalyticsService(ClickHouseClient& clickhouse, ServiceOptions options);

  boost::json::object Views(const ReportRequest& request);
  boost::json::object WatchQuality(const ReportRequest& request);
  boost::json::object Engagement(const ReportRequest& request, std::int64_t now_s);
  boost::json::object Search(const ReportRequest& request);
  boost::json::object Ui(const ReportRequest& request);
  boost::json::object Recommendations(const ReportRequest& request);
  boost::json::object CompareVariants(const ReportRequest& request);
  boost::json::object UserHistory(std::uint64_t user_id, const ReportRequest& request);

  const ServiceOptions& options() const { return options_; }

 private:
  // Refuses (422) a genre no movie in movies_dim carries. The genre list is cached for a minute.
  void CheckGenre(const std::string& genre);
  // movie id -> title from movies_dim ("" when unknown).
  std::vector<std::string> Titles(const std::vector<std::int64_t>& movie_ids);
  std::int64_t Window(const ReportRequest& request) const;

  ClickHouseClient& clickhouse_;
  ServiceOptions options_;
  std::mutex genres_mutex_;
  std::set<std::string> genres_;                            // GUARDED_BY(genres_mutex_)
  std::chrono::steady_clock::time_point genres_loaded_at_;  // GUARDED_BY(genres_mutex_)
};

// The settings the rollups must have been sealed with to answer for this service.
struct RollupSettings;
RollupSettings RollupSettingsOf(const ServiceOptions& options);

// The echo of the request every report starts with: {"from", "to", "granularity", "filters"}.
boost::json::object RequestEcho(const ReportRequest& request);

}  // namespace cinerec::analytics
