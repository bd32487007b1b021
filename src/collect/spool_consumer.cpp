#include "collect/spool_consumer.h"

#include <spdlog/spdlog.h>

#include <fstream>

#include "collect/collect_metrics.h"
#include "collect/event_codec.h"
#include "collect/sink.h"
#include "collect/spool/wal.h"
#include "common/errors.h"

namespace cinerec::collect {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kIdleWait{250};  // how often an idle consumer looks at the stop flag
constexpr std::size_t kReadRecords = 64;
constexpr std::size_t kReadBytes = 8u << 20;

// Dead-letter files hold records framed as u32 little-endian length + bytes, so that they can be decoded
// (DecodeEvents per record) and re-sent by hand once the cause is fixed.
void AppendFramed(std::string& out, const std::string& record) {
  const auto size = static_cast<std::uint32_t>(record.size());
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((size >> (8 * i)) & 0xFF));
  out += record;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

SpoolConsumer::SpoolConsumer(Wal& wal, EventSink& sink, Options options, CollectMetrics* metrics)
    : wal_(wal),
      sink_(sink),
      options_(std::move(options)),
      metrics_(metrics),
      appended_before_start_(wal.stats().last_seq),
      thread_([this] { Run(); }) {}

SpoolConsumer::~SpoolConsumer() {
  Stop(milliseconds(0));
}

void SpoolConsumer::Stop(milliseconds drain) {
  {
    std::lock_guard lock(mutex_);
    if (!stop_requested_) {
      stop_requested_ = true;
      drain_until_ = Clock::now() + drain;
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SpoolConsumer::Stopping() const {
  std::lock_guard lock(mutex_);
  return stop_requested_;
}

bool SpoolConsumer::Backoff(milliseconds delay) {
  std::unique_lock lock(mutex_);
  const auto until = Clock::now() + delay;
  wake_.wait_until(lock, until, [&] { return stop_requested_ && Clock::now() >= drain_until_; });
  return !(stop_requested_ && Clock::now() >= drain_until_);
}

void SpoolConsumer::Run() {
  const std::string name(sink_.name());
  std::uint64_t delivered_seq = wal_.committed(name);
  milliseconds backoff = options_.initial_backoff;
  for (;;) {
    // 1. Gather a batch.
    std::vector<Event> events;
    std::vector<WalRecord> records;  // kept for the dead-letter file
    std::uint64_t last_seq = delivered_seq;
    std::size_t replayed = 0;
    std::optional<Clock::time_point> first_at;
    bool drained = false;
    while (events.size() < options_.batch_events) {
      milliseconds wait = kIdleWait;
      if (first_at) {
        const auto left =
            std::chrono::duration_cast<milliseconds>(*first_at + options_.flush_interval - Clock::now());
        if (left.count() <= 0) break;
        wait = std::min(wait, left);
      }
      const bool stopping = Stopping();
      if (stopping) wait = milliseconds(0);  // drain what is there, wait for nothing new
      auto batch = wal_.Read(last_seq, kReadRecords, kReadBytes, wait);
      if (batch.empty()) {
        if (stopping) {
          drained = true;
          break;
        }
        continue;
      }
      if (!first_at) first_at = Clock::now();
      for (auto& record : batch) {
        const auto before = events.size();
        try {
          DecodeEvents(record.data, events);
        } catch (const CorruptRecord& e) {
          events.resize(before);
          std::string framed;
          AppendFramed(framed, record.data);
          DeadLetter(record.seq, record.seq, framed, std::string("undecodable spool record: ") + e.what());
        }
        if (record.seq <= appended_before_start_) replayed += events.size() - before;
        last_seq = record.seq;
        records.push_back(std::move(record));
      }
    }
    if (last_seq == delivered_seq) {
      if (drained) return;
      continue;
    }

    // 2. Deliver it, retrying the same batch while the store is unavailable.
    for (;;) {
      const auto start = Clock::now();
      try {
        if (!events.empty()) sink_.Deliver(events);
        if (metrics_ != nullptr) {
          metrics_->Delivered(name, events.size(), SecondsSince(start));
          if (replayed > 0) metrics_->Replayed(name, replayed);
        }
        events_delivered_ += events.size();
        backoff = options_.initial_backoff;
        break;
      } catch (const StoreError& e) {
        ++failed_attempts_;
        if (metrics_ != nullptr) metrics_->DeliveryFailed(name);
        spdlog::warn("spool consumer {}: delivery of {} events failed ({}); retrying in {} ms", name,
                     events.size(), e.what(), backoff.count());
        if (!Backoff(backoff)) return;  // stopping: the batch stays in the spool for the next start
        backoff = std::min(backoff * 2, options_.max_backoff);
      } catch (const std::exception& e) {
        std::string raw;
        for (const auto& record : records)
          AppendFramed(raw, record.data);
        DeadLetter(records.front().seq, records.back().seq, raw, e.what());
        events_dead_lettered_ += events.size();
        if (metrics_ != nullptr) metrics_->DeadLettered(name, events.size());
        break;
      }
    }

    // 3. Commit: from here on the spool may drop these records.
    wal_.Commit(name, last_seq);
    delivered_seq = last_seq;
    if (metrics_ != nullptr) {
      const auto stats = wal_.stats();
      metrics_->SpoolState(stats.bytes, stats.segments);
      if (auto it = stats.lag_records.find(name); it != stats.lag_records.end())
        metrics_->Lag(name, it->second);
    }
    if (drained) return;
  }
}

void SpoolConsumer::DeadLetter(std::uint64_t first_seq, std::uint64_t last_seq, const std::string& records,
                               const std::string& reason) {
  spdlog::error("spool consumer {}: records {}-{} refused for good ({}); kept in {}", sink_.name(), first_seq,
                last_seq, reason,
                options_.dead_letter_dir.empty() ? std::string("<nowhere: no dead-letter folder configured>")
                                                 : options_.dead_letter_dir.string());
  if (options_.dead_letter_dir.empty()) return;
  try {
    std::filesystem::create_directories(options_.dead_letter_dir);
    const auto stem =
        options_.dead_letter_dir
        / (std::string(sink_.name()) + "-" + std::to_string(first_seq) + "-" + std::to_string(last_seq));
    std::ofstream(stem.string() + ".records", std::ios::binary) << records;
    std::ofstream(stem.string() + ".reason") << reason << '\n';
  } catch (const std::exception& e) {
    spdlog::error("spool consumer {}: cannot write the dead-letter file: {}", sink_.name(), e.what());
  }
}

}  // namespace cinerec::collect
