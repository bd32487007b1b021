#pragma once
// Retention of raw events: ClickHouse 18.16 has no TTL, so whole monthly partitions (toYYYYMM(event_time),
// UTC) of ui_events, watch_events and recommendation_impressions are dropped once every second of the month
// is older than the configured age. account_events (small, needed for sign-up and plan history), the
// dimension tables and pre-aggregated tables are kept.
#include <cstdint>
#include <string>
#include <vector>

namespace cinerec {
class ClickHouseClient;
}

namespace cinerec::analytics {

inline const std::vector<std::string> kRawEventTables = {"ui_events", "watch_events",
                                                         "recommendation_impressions"};

struct DroppedPartition {
  std::string table;
  std::string partition;  // "202601"
};

// The YYYYMM partitions whose month ended at or before `cutoff_s` (Unix seconds): droppable.
bool MonthEndedBefore(std::uint32_t yyyymm, std::int64_t cutoff_s);

// Drops the partitions of the raw event tables older than `retention_days` before `now_s`
// (retention_days <= 0: nothing). dry_run: only lists them. Throws StoreError / ClickHouseQueryError.
std::vector<DroppedPartition> DropExpiredPartitions(ClickHouseClient& clickhouse, int retention_days,
                                                    std::int64_t now_s, bool dry_run = false);

}  // namespace cinerec::analytics
