#pragma once
// `cinerec export history`: one UTC day of ClickHouse history to S3 (docs/analytics.md, "History export"):
//
//   history/<YYYY-MM-DD>/recommendations.jsonl.gz   impressions joined with their outcomes (clicked_at,
//                                                   watch_started_at, watch_completed_at within the window)
//   history/<YYYY-MM-DD>/<table>.jsonl.gz           the raw rows of ui_events, watch_events,
//                                                   recommendation_impressions and account_events
//   history/<YYYY-MM-DD>/_manifest.json             written last: per file its rows, bytes and SHA-256
//
// Rows are JSON lines, one per distinct event id (the earliest received copy), ordered by (event_time,
// event_id): the same data gives the same bytes, so exporting a day again is idempotent (it first deletes the
// manifest, rewrites the files, then writes the manifest). A folder without a manifest is incomplete.
// Each file is built from hour-long queries streamed into a gzip file on local disk, then uploaded (multipart
// above the store's threshold), so memory stays bounded by one hour of one table.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cinerec {
class ClickHouseClient;
class ObjectStore;
}  // namespace cinerec

namespace cinerec::analytics {

struct HistoryExportOptions {
  std::string prefix = "history/";
  std::int64_t window_s = 24 * 3600;  // conversion window of the recommendations file
  double completion_threshold = 0.9;
  std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
};

struct ExportedFile {
  std::string key;  // "history/2026-10-05/ui_events.jsonl.gz"
  std::int64_t rows = 0;
  std::uint64_t bytes = 0;
  std::string sha256;  // of the object (the compressed bytes)
};

struct HistoryDay {
  std::string date;  // "2026-10-05"
  std::vector<ExportedFile> files;
  std::string manifest_key;
};

inline const std::vector<std::string> kHistoryTables = {"ui_events", "watch_events",
                                                        "recommendation_impressions", "account_events"};

// Exports the UTC day starting at `day_start` (Unix seconds, a multiple of 86400). Throws StoreError
// (ClickHouse or S3), std::runtime_error for local disk problems.
HistoryDay ExportHistoryDay(ClickHouseClient& clickhouse, ObjectStore& objects, std::int64_t day_start,
                            const HistoryExportOptions& options);

}  // namespace cinerec::analytics
