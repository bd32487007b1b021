#pragma once
// Keeps ClickHouse's dimension tables and account events in step with PostgreSQL (the system of record):
//  - users_dim: effective tier, country, signup date, birth year of every user;
//  - movies_dim: title, genres, year, length, deleted flag of every movie;
//  - account_events: a signup event per user and a subscription_change event per change of the subscription
//    row, with deterministic event ids (derived from the user id and the change time), so that syncing the
//    same change twice inserts a copy that collapses like any replayed event.
// SyncChanges() reads the rows changed since the last sync (updated_at, with an overlap for transactions
// that committed late); FullRefresh() reads every row (it also catches what no updated_at records, such as a
// subscription that expired by itself). Both insert whole rows; ReplacingMergeTree keeps the newest version.
// Account events are sent once: for changes after the newest account event ClickHouse already holds.
// Not thread-safe: one caller (the analytics module's scheduler or a CLI command).
#include <cstdint>
#include <string>

namespace cinerec {
class PgPool;
class ClickHouseClient;
}  // namespace cinerec

namespace cinerec::analytics {

struct SyncCounts {
  std::int64_t users = 0, movies = 0, signups = 0, subscription_changes = 0;
};

class DimensionSync {
 public:
  // REQUIRES: postgres and clickhouse outlive the sync.
  DimensionSync(PgPool& postgres, ClickHouseClient& clickhouse);

  // Rows changed since the previous call (everything on the first call). Throws StoreError.
  SyncCounts SyncChanges();
  // Every row. Throws StoreError.
  SyncCounts FullRefresh();

  // Rows are read in pages of this many (keyset pagination by id).
  static constexpr int kPageRows = 20000;
  // Changes are re-read this long after their updated_at: a transaction that started earlier (and so has
  // an earlier now()) may commit after the previous sync.
  static constexpr std::int64_t kOverlapS = 120;

 private:
  SyncCounts Sync(std::int64_t since_s);

  PgPool& postgres_;
  ClickHouseClient& clickhouse_;
  std::int64_t watermark_s_ = -1;     // newest updated_at seen, Unix seconds; -1 before the first sync
  std::int64_t events_since_s_ = -1;  // account events are sent for changes from here on; -1 = ask ClickHouse
};

}  // namespace cinerec::analytics
