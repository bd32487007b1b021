#include "analytics/history_export.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>

#include "analytics/conversion_sql.h"
#include "analytics/gzip_file.h"
#include "analytics/report_request.h"
#include "analytics/report_sql.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/s3/object_store.h"
#include "storage/s3/s3_digest.h"

namespace cinerec::analytics {

namespace json = boost::json;

namespace {

constexpr std::int64_t kHour = 3600;
constexpr int kManifestFormat = 1;

std::int64_t CountLines(std::string_view body) {
  std::int64_t lines = 0;
  for (char c : body)
    lines += c == '\n';
  return lines;
}

// Raw rows of one hour, one per event id: the earliest received copy.
std::string RawHour(const std::string& table, std::int64_t from) {
  return "SELECT * FROM " + table + " WHERE " + TimeCondition(from, from + kHour)
         + " ORDER BY event_time, event_id, received_at LIMIT 1 BY event_id FORMAT JSONEachRow";
}

// Impressions of one hour with their outcomes.
std::string RecommendationsHour(std::int64_t from, const HistoryExportOptions& options) {
  const std::string where = TimeCondition(from, from + kHour);
  const std::string users = "SELECT user_id, movie_id FROM recommendation_impressions WHERE " + where;
  auto when = [&](const std::string& times) {
    const std::string t = FirstWithin(options.window_s, times);
    return "if(" + t + " = 0, '', toString(toDateTime(" + t + ", 'UTC')))";
  };
  return "SELECT event_id, toString(ts) AS shown_at, uid AS user_id, mid AS movie_id, request_k AS "
         "request_id, "
         "position_n AS position, score_n AS score, model_version_k AS model_version, variant_k AS variant, "
         "source_n AS source, "
         + when("clicks") + " AS clicked_at, " + when("starts") + " AS watch_started_at, " + when("completes")
         + " AS watch_completed_at FROM (" + DistinctImpressions(where) + ") ANY LEFT JOIN ("
         + Outcomes(from, from + kHour, options.window_s, options.completion_threshold, users)
         + ") USING (uid, mid) ORDER BY ts, event_id FORMAT JSONEachRow";
}

std::string FileSha256(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot read " + path.string());
  const auto size = std::filesystem::file_size(path);
  std::string digest;
  try {
    digest = s3::Sha256HexOfFile(fd, 0, size);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return digest;
}

// Streams the 24 hourly answers of `query_for_hour` into a gzip file and uploads it.
ExportedFile ExportFile(ClickHouseClient& clickhouse, ObjectStore& objects, std::int64_t day_start,
                        const std::string& key, const std::filesystem::path& local,
                        const std::function<std::string(std::int64_t)>& query_for_hour) {
  ExportedFile file;
  file.key = key;
  {
    GzipFile gzip(local);
    for (std::int64_t hour = day_start; hour < day_start + 24 * kHour; hour += kHour) {
      const std::string body = clickhouse.Query(query_for_hour(hour));
      file.rows += CountLines(body);
      gzip.Write(body);
    }
    file.bytes = gzip.Finish();
  }
  file.sha256 = FileSha256(local);
  objects.PutFile(key, local);
  std::filesystem::remove(local);
  return file;
}

}  // namespace

HistoryDay ExportHistoryDay(ClickHouseClient& clickhouse, ObjectStore& objects, std::int64_t day_start,
                            const HistoryExportOptions& options) {
  HistoryDay day;
  day.date = FormatTime(day_start).substr(0, 10);
  const std::string folder = options.prefix + day.date + "/";
  day.manifest_key = folder + "_manifest.json";
  objects.Delete(day.manifest_key);  // the folder is incomplete until the new manifest is written

  const auto temp_base = options.temp_dir / fmt::format("cinerec-history-{}-{}", day.date, ::getpid());
  auto export_one = [&](const std::string& name, const std::function<std::string(std::int64_t)>& query) {
    const auto local = std::filesystem::path(temp_base.string() + "-" + name);
    try {
      day.files.push_back(ExportFile(clickhouse, objects, day_start, folder + name, local, query));
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove(local, ignored);
      throw;
    }
  };
  export_one("recommendations.jsonl.gz",
             [&options](std::int64_t hour) { return RecommendationsHour(hour, options); });
  for (const auto& table : kHistoryTables)
    export_one(table + ".jsonl.gz", [&table](std::int64_t hour) { return RawHour(table, hour); });

  json::array files;
  for (const auto& f : day.files)
    files.emplace_back(
        json::object{{"key", f.key}, {"rows", f.rows}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  const json::object manifest{
      {"format", kManifestFormat},
      {"date", day.date},
      {"from", FormatTime(day_start)},
      {"to", FormatTime(day_start + 24 * kHour)},
      {"window_s", options.window_s},
      {"exported_at", FormatTime(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count())},
      {"files", std::move(files)}};
  objects.Put(day.manifest_key, json::serialize(manifest), "application/json");
  spdlog::info("history export {}: {} files under {}", day.date, day.files.size(), folder);
  return day;
}

}  // namespace cinerec::analytics
