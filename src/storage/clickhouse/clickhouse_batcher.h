#pragma once
// ClickHouseBatcher: turns many small row appends into few large INSERTs (ClickHouse wants big, rare
// inserts).
//
// Rows are line-format rows (JSONEachRow by default, one row per Append, without the trailing newline). Rows
// for one table form a batch, which is sealed when it holds ClickHouseConfig::batch_rows rows or when
// ClickHouseConfig::flush_interval has passed since its first row, and then sent by one background thread,
// in append order.
//
// Failures: an insert failing with StoreError (server down, timeout, overload) keeps its batch and retries
// it with exponential backoff (initial_backoff doubling up to max_backoff); later batches wait behind it,
// so order is kept. An insert the server rejects (ClickHouseQueryError: bad row, unknown table) cannot
// succeed by retrying: that batch is dropped, logged as an error and counted in rows_rejected().
//
// Durability: rows are held in memory only. Rows buffered when the process is killed (or when the
// destructor's final flush fails) are lost; a durable on-disk spool is a later piece of work.
//
// Thread safety: Append, Flush and the counters may be called from any thread. The client must outlive the
// batcher and be thread-safe (every ClickHouseClient is).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/config.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec {

struct ClickHouseBatcherOptions {
  std::string format = "JSONEachRow";  // a line format: rows are joined with '\n'
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
};

class ClickHouseBatcher {
 public:
  // max_buffered_rows bounds the rows held (sealed, being sent and still accumulating), over all tables.
  ClickHouseBatcher(ClickHouseClient& client, const ClickHouseConfig& config, std::size_t max_buffered_rows,
                    ClickHouseBatcherOptions options = {});
  // Flushes (one attempt per batch; rows that still fail are logged as lost), then stops the thread.
  ~ClickHouseBatcher();
  ClickHouseBatcher(const ClickHouseBatcher&) = delete;
  ClickHouseBatcher& operator=(const ClickHouseBatcher&) = delete;

  // Queues one row for `table`: no I/O. Returns false, queuing nothing, when max_buffered_rows rows are
  // already held: the caller should slow down or shed load. Throws std::invalid_argument for an invalid table
  // name.
  bool Append(const std::string& table, std::string_view row) { return AppendRows(table, row, 1); }
  // Queues `count` rows at once: `rows` holds them joined with '\n' (no trailing newline). All or none:
  // false when max_buffered_rows rows are already held. One lock and one copy for a response's rows.
  bool AppendRows(const std::string& table, std::string_view rows, std::size_t count);

  // Sends every row appended before the call, now (ignoring any backoff), and waits for it.
  // Returns true when all of them were delivered (or rejected, see above); false when an insert failed with
  // StoreError, in which case the rows stay buffered and the background retry goes on.
  bool Flush();

  std::uint64_t rows_sent() const;
  std::uint64_t batches_sent() const;
  std::uint64_t failed_attempts() const;  // inserts that failed with StoreError (each retry counts)
  std::uint64_t rows_rejected() const;    // rows of batches dropped after a ClickHouseQueryError
  std::size_t rows_buffered() const;      // rows held now, sealed or not

 private:
  using Clock = std::chrono::steady_clock;
  struct Open {  // the batch still accumulating for one table
    std::string body;
    std::size_t rows = 0;
    Clock::time_point first_row;
  };
  struct Sealed {
    std::uint64_t id;
    std::string table;
    std::string body;
    std::size_t rows;
  };

  void Run();
  void SealLocked(const std::string& table, Open& open);  // REQUIRES: mutex_ held
  void SealDueLocked(Clock::time_point now);              // REQUIRES: mutex_ held
  Clock::time_point NextWakeLocked() const;               // REQUIRES: mutex_ held
  void SendFront(std::unique_lock<std::mutex>& lock);     // REQUIRES: lock holds mutex_, sealed_ not empty
  void RecycleLocked(std::string body);                   // REQUIRES: mutex_ held

  ClickHouseClient& client_;
  const std::size_t batch_rows_;
  const std::chrono::milliseconds flush_interval_;
  const std::size_t max_buffered_rows_;
  const ClickHouseBatcherOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // the sender: work to do
  std::condition_variable flushed_;   // Flush callers: progress was made
  std::map<std::string, Open> open_;  // GUARDED_BY(mutex_)
  std::deque<Sealed> sealed_;         // GUARDED_BY(mutex_); front is sent first
  // Bodies already sent, emptied with their capacity kept: a batch of tens of megabytes grown by doubling
  // in fresh pages cost the request threads more (page clearing and copies) than formatting their rows.
  std::vector<std::string> spare_bodies_;  // GUARDED_BY(mutex_)
  std::uint64_t next_id_ = 1;              // GUARDED_BY(mutex_)
  std::uint64_t flush_through_ = 0;        // GUARDED_BY(mutex_): batches with id <= this ignore the backoff
  std::uint64_t flush_calls_ = 0;          // GUARDED_BY(mutex_): Flush() calls so far
  std::uint64_t flush_failed_upto_ = 0;    // GUARDED_BY(mutex_): Flush calls numbered up to this have failed
  std::chrono::milliseconds backoff_{0};   // GUARDED_BY(mutex_)
  Clock::time_point retry_at_{};           // GUARDED_BY(mutex_)
  std::size_t buffered_ = 0;               // GUARDED_BY(mutex_)
  std::uint64_t rows_sent_ = 0, batches_sent_ = 0, failed_attempts_ = 0,
                rows_rejected_ = 0;  // GUARDED_BY(mutex_)
  bool stopping_ = false;            // GUARDED_BY(mutex_)
  std::thread sender_;               // last: starts after every member above is ready
};

}  // namespace cinerec
