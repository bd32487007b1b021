#include "analytics/analytics_service.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <map>

#include "analytics/report_sql.h"
#include "analytics/rollups.h"
#include "common/errors.h"

namespace cinerec::analytics {

namespace json = boost::json;

AnalyticsService::AnalyticsService(ClickHouseClient& clickhouse, ServiceOptions options)
    : clickhouse_(clickhouse), options_(options) {}

void AnalyticsService::CheckGenre(const std::string& genre) {
  if (genre.empty()) return;
  std::lock_guard lock(genres_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!genres_.count(genre) && (genres_.empty() || now - genres_loaded_at_ > std::chrono::minutes(1))) {
    std::set<std::string> loaded;
    for (const auto& row : QueryRows(clickhouse_, "SELECT DISTINCT arrayJoin(genres) FROM movies_dim"))
      loaded.insert(AsString(row.at(0)));
    genres_ = std::move(loaded);
    genres_loaded_at_ = now;
  }
  if (!genres_.count(genre)) throw Unprocessable("genre", "no movie has the genre '" + genre + "'");
}

std::vector<std::string> AnalyticsService::Titles(const std::vector<std::int64_t>& movie_ids) {
  std::vector<std::string> titles(movie_ids.size());
  if (movie_ids.empty()) return titles;
  std::string ids;
  for (auto id : movie_ids)
    ids += (ids.empty() ? "" : ",") + std::to_string(id);
  std::map<std::int64_t, std::string> by_id;
  for (const auto& row : QueryRows(clickhouse_,
                                   "SELECT movie_id, argMax(title, updated_at) FROM movies_dim "
                                   "WHERE movie_id IN ("
                                       + ids + ") GROUP BY movie_id"))
    by_id[AsInt(row.at(0))] = AsString(row.at(1));
  for (std::size_t i = 0; i < movie_ids.size(); ++i)
    titles[i] = by_id[movie_ids[i]];
  return titles;
}

std::int64_t AnalyticsService::Window(const ReportRequest& request) const {
  return request.window_s > 0 ? request.window_s : options_.conversion_window_s;
}

RollupSettings RollupSettingsOf(const ServiceOptions& options) {
  return RollupSettings{.conversion_window_s = options.conversion_window_s,
                        .completion_threshold = options.completion_threshold};
}

json::object RequestEcho(const ReportRequest& request) {
  json::object filters;
  const auto& f = request.filters;
  if (!f.genre.empty()) filters["genre"] = f.genre;
  if (f.movie_id != 0) filters["movie"] = f.movie_id;
  if (!f.device.empty()) filters["device"] = f.device;
  if (!f.country.empty()) filters["country"] = f.country;
  if (!f.tier.empty()) filters["tier"] = f.tier;
  if (!f.model_version.empty()) filters["model_version"] = f.model_version;
  if (!f.variant.empty()) filters["variant"] = f.variant;
  if (!f.source.empty()) filters["source"] = f.source;
  return json::object{{"from", FormatTime(request.from)},
                      {"to", FormatTime(request.to)},
                      {"granularity", GranularityName(request.granularity)},
                      {"filters", std::move(filters)}};
}

}  // namespace cinerec::analytics
