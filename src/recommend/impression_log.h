#pragma once
// ImpressionLog: the items a response showed, one row each into ClickHouse `recommendation_impressions`
// (request id, user, movie, position, score, model version, variant, source, and the report attributes:
// movie genres, user tier and country), through a ClickHouseBatcher (by size and time, like the event
// tables).
//
// Durability: impressions are not acknowledged events, so they are buffered in memory only (no spool):
// rows still buffered when the process is killed are lost, and when the buffer is full (ClickHouse down for
// long) new rows are dropped and counted rather than slowing the responses. Each row's event_id is derived
// from (request id, position) — the request id's own random bits when it has the usual form, one SHA-1 of
// it otherwise — so a replayed row de-duplicates like every event table.
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec {
class ClickHouseBatcher;
}

namespace cinerec::recommend {

struct Impression {
  std::int64_t movie_id = 0;
  float score = 0;
  std::string_view source;
  std::span<const std::uint16_t> genre_ids;  // the movie's genres, as numbers of the batch's genre_names
};

struct ImpressionBatch {
  std::string request_id;
  std::int64_t user_id = 0;
  std::int64_t time_ms = 0;  // Unix ms
  std::string model_version;
  std::string variant;
  std::string user_tier;
  std::string user_country;
  const std::vector<std::string>* genre_names =
      nullptr;                    // the catalogue snapshot's (MovieSnapshot::genre_names)
  std::vector<Impression> items;  // in position order (position = index + 1)
};

class ImpressionLog {
 public:
  virtual ~ImpressionLog() = default;
  // Never throws and never blocks on I/O. Thread-safe.
  virtual void Record(const ImpressionBatch& batch) = 0;
};

// The rows of a batch (kImpressionsFormat), appended to `out` joined with '\n' (no trailing newline).
void AppendImpressionRows(std::string& out, const ImpressionBatch& batch);
// The same rows one by one (tests).
std::vector<std::string> ImpressionRows(const ImpressionBatch& batch);
// The event id of the impression at `position` (1-based) of a response: a UUID derived from the request id
// and the position, distinct per position.
void AppendImpressionEventId(std::string& out, std::string_view request_id, std::size_t position);

class ClickHouseImpressionLog final : public ImpressionLog {
 public:
  // REQUIRES: batcher outlives this.
  explicit ClickHouseImpressionLog(ClickHouseBatcher& batcher) : batcher_(batcher) {}
  void Record(const ImpressionBatch& batch) override;
  std::uint64_t dropped() const { return dropped_.load(); }

 private:
  ClickHouseBatcher& batcher_;
  std::atomic<std::uint64_t> dropped_{0};
};

inline constexpr const char* kImpressionsTable = "recommendation_impressions";
// The rows' format (ClickHouseBatcherOptions::format of the impressions' batcher): TabSeparated, every column
// of the table in its order — a migration that adds a column to recommendation_impressions must add it here
// too (RecommendApi integration tests read the rows back).
inline constexpr const char* kImpressionsFormat = "TabSeparated";

}  // namespace cinerec::recommend
