#include "storage/clickhouse/clickhouse_batcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/errors.h"
#include "storage/clickhouse/clickhouse_sql.h"

namespace cinerec {
namespace {

ClickHouseBatcherOptions Validated(ClickHouseBatcherOptions options) {
  CheckClickHouseIdentifier("format", options.format);
  if (options.initial_backoff.count() <= 0) options.initial_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::max(options.max_backoff, options.initial_backoff);
  return options;
}

}  // namespace

ClickHouseBatcher::ClickHouseBatcher(ClickHouseClient& client, const ClickHouseConfig& config,
                                     std::size_t max_buffered_rows, ClickHouseBatcherOptions options)
    : client_(client),
      batch_rows_(std::max<std::size_t>(config.batch_rows, 1)),
      flush_interval_(config.flush_interval),
      max_buffered_rows_(max_buffered_rows),
      options_(Validated(std::move(options))),
      sender_([this] { Run(); }) {}

ClickHouseBatcher::~ClickHouseBatcher() {
  if (!Flush()) {
    spdlog::error("clickhouse batcher: shutting down with {} rows not delivered; they are lost",
                  rows_buffered());
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  sender_.join();
}

bool ClickHouseBatcher::AppendRows(const std::string& table, std::string_view rows, std::size_t count) {
  CheckClickHouseIdentifier("table", table);
  if (count == 0) return true;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (buffered_ >= max_buffered_rows_) return false;
    Open& open = open_[table];
    if (open.rows == 0) {
      open.first_row = Clock::now();
      wake = true;  // the sender must learn about this batch's deadline
      if (open.body.capacity() == 0 && !spare_bodies_.empty()) {
        open.body = std::move(spare_bodies_.back());
        spare_bodies_.pop_back();
      }
    } else {
      open.body += '\n';
    }
    open.body += rows;
    open.rows += count;
    buffered_ += count;
    if (open.rows >= batch_rows_) {
      SealLocked(table, open);
      wake = true;
    }
  }
  if (wake) wake_.notify_one();
  return true;
}

bool ClickHouseBatcher::Flush() {
  std::unique_lock lock(mutex_);
  for (auto& [table, open] : open_) {
    if (open.rows > 0) SealLocked(table, open);
  }
  if (sealed_.empty()) return true;
  const std::uint64_t target = sealed_.back().id;
  const std::uint64_t call = ++flush_calls_;
  flush_through_ = std::max(flush_through_, target);
  wake_.notify_one();
  auto done = [&] { return sealed_.empty() || sealed_.front().id > target; };
  // Fails only through an attempt that started after this call: a background retry already in flight
  // when Flush was called does not count.
  flushed_.wait(lock, [&] { return done() || flush_failed_upto_ >= call; });
  return done();
}

void ClickHouseBatcher::SealLocked(const std::string& table, Open& open) {
  sealed_.push_back({next_id_++, table, std::move(open.body), open.rows});
  open = Open{};
}

void ClickHouseBatcher::SealDueLocked(Clock::time_point now) {
  for (auto& [table, open] : open_) {
    if (open.rows > 0 && now - open.first_row >= flush_interval_) SealLocked(table, open);
  }
}

ClickHouseBatcher::Clock::time_point ClickHouseBatcher::NextWakeLocked() const {
  auto wake_at = Clock::time_point::max();
  for (const auto& [table, open] : open_) {
    if (open.rows > 0) wake_at = std::min(wake_at, open.first_row + flush_interval_);
  }
  if (!sealed_.empty()) wake_at = std::min(wake_at, retry_at_);
  return wake_at;
}

void ClickHouseBatcher::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_) return;  // the destructor flushed just before
    auto now = Clock::now();
    SealDueLocked(now);
    if (!sealed_.empty() && (sealed_.front().id <= flush_through_ || now >= retry_at_)) {
      SendFront(lock);
      continue;
    }
    auto wake_at = NextWakeLocked();
    if (wake_at == Clock::time_point::max())
      wake_.wait(lock);
    else
      wake_.wait_until(lock, wake_at);
  }
}

void ClickHouseBatcher::SendFront(std::unique_lock<std::mutex>& lock) {
  // Only this thread removes from sealed_, and push_back keeps references to a deque's elements valid,
  // so `batch` stays usable while the lock is released for the I/O.
  const Sealed& batch = sealed_.front();
  const bool for_flush = batch.id <= flush_through_;
  const std::uint64_t flush_calls_at_start = flush_calls_;
  enum class Outcome { kSent, kRetry, kRejected } outcome = Outcome::kSent;
  lock.unlock();
  try {
    client_.Insert(batch.table, options_.format, batch.body);
  } catch (const StoreError& e) {
    outcome = Outcome::kRetry;
    spdlog::warn("clickhouse batcher: {} rows for {} kept for retry: {}", batch.rows, batch.table, e.what());
  } catch (const std::exception& e) {
    // ClickHouseQueryError (or a bug): the same batch would fail forever and block every later one.
    outcome = Outcome::kRejected;
    spdlog::error("clickhouse batcher: {} rows for {} rejected and dropped: {}", batch.rows, batch.table,
                  e.what());
  }
  lock.lock();
  if (outcome == Outcome::kRetry) {
    ++failed_attempts_;
    backoff_ =
        backoff_.count() == 0 ? options_.initial_backoff : std::min(backoff_ * 2, options_.max_backoff);
    retry_at_ = Clock::now() + backoff_;
    if (for_flush) {
      flush_failed_upto_ = flush_calls_at_start;
      // Back to the backoff schedule, unless a Flush that came later still wants its immediate attempt.
      if (flush_calls_ == flush_calls_at_start) flush_through_ = 0;
    }
  } else {
    if (outcome == Outcome::kSent) {
      rows_sent_ += batch.rows;
      ++batches_sent_;
    } else {
      rows_rejected_ += batch.rows;
    }
    buffered_ -= batch.rows;
    backoff_ = std::chrono::milliseconds(0);
    retry_at_ = Clock::time_point{};
    std::string body = std::move(sealed_.front().body);
    sealed_.pop_front();
    RecycleLocked(std::move(body));
  }
  flushed_.notify_all();
}

void ClickHouseBatcher::RecycleLocked(std::string body) {
  // Two spares: one being filled while one is sent; more would only hold memory.
  if (spare_bodies_.size() >= 2) return;
  body.clear();
  spare_bodies_.push_back(std::move(body));
}

std::uint64_t ClickHouseBatcher::rows_sent() const {
  std::lock_guard lock(mutex_);
  return rows_sent_;
}
std::uint64_t ClickHouseBatcher::batches_sent() const {
  std::lock_guard lock(mutex_);
  return batches_sent_;
}
std::uint64_t ClickHouseBatcher::failed_attempts() const {
  std::lock_guard lock(mutex_);
  return failed_attempts_;
}
std::uint64_t ClickHouseBatcher::rows_rejected() const {
  std::lock_guard lock(mutex_);
  return rows_rejected_;
}
std::size_t ClickHouseBatcher::rows_buffered() const {
  std::lock_guard lock(mutex_);
  return buffered_;
}

}  // namespace cinerec
