#include "analytics/retention.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "analytics/report_sql.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec::analytics {

bool MonthEndedBefore(std::uint32_t yyyymm, std::int64_t cutoff_s) {
  using namespace std::chrono;
  const int year = static_cast<int>(yyyymm / 100);
  const unsigned month = yyyymm % 100;
  if (month < 1 || month > 12) return false;
  const year_month next = year_month{std::chrono::year(year), std::chrono::month(month)} + months(1);
  const auto next_start = sys_days(next / 1).time_since_epoch();
  return duration_cast<seconds>(next_start).count() <= cutoff_s;
}

std::vector<DroppedPartition> DropExpiredPartitions(ClickHouseClient& clickhouse, int retention_days,
                                                    std::int64_t now_s, bool dry_run) {
  std::vector<DroppedPartition> dropped;
  if (retention_days <= 0) return dropped;
  const std::int64_t cutoff = now_s - static_cast<std::int64_t>(retention_days) * 86400;
  for (const auto& table : kRawEventTables) {
    const auto rows = QueryRows(clickhouse,
                                "SELECT DISTINCT partition FROM system.parts WHERE active AND database = "
                                "currentDatabase() AND table = "
                                    + Quote(table) + " ORDER BY partition");
    for (const auto& row : rows) {
      const std::string partition = AsString(row.at(0));
      std::uint32_t month = 0;
      try {
        month = static_cast<std::uint32_t>(std::stoul(partition));
      } catch (const std::exception&) {
        continue;  // not a YYYYMM partition: not ours to drop
      }
      if (!MonthEndedBefore(month, cutoff)) continue;
      if (!dry_run) {
        clickhouse.Query("ALTER TABLE " + table + " DROP PARTITION " + std::to_string(month));
        spdlog::info("retention: dropped partition {} of {} (older than {} days)", month, table,
                     retention_days);
      }
      dropped.push_back({table, partition});
    }
  }
  return dropped;
}

}  // namespace cinerec::analytics
