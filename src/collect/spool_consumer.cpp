#include "collect/spool_consumer.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <optional>

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

// A gathered batch on its way from the gathering thread to the sending one.
struct SpoolConsumer::Batch {
  std::vector<Event> events;       // emptied once prepared: the prepared form is what is sent
  std::size_t event_count = 0;     // events in the batch
  std::vector<WalRecord> records;  // kept for the dead-letter file
  std::uint64_t last_seq = 0;      // committed once the batch is delivered
  std::size_t replayed = 0;        // events of records appended by an earlier process
  std::unique_ptr<PreparedBatch> prepared;
  bool dead_lettered = false;  // refused for good while preparing: only committed
};

SpoolConsumer::SpoolConsumer(Wal& wal, EventSink& sink, Options options, CollectMetrics* metrics)
    : wal_(wal),
      sink_(sink),
      options_(std::move(options)),
      metrics_(metrics),
      appended_before_start_(wal.stats().last_seq),
      gatherer_([this] { GatherLoop(); }),
      sender_([this] { SendLoop(); }) {}

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
  queue_changed_.notify_all();
  if (gatherer_.joinable()) gatherer_.join();
  if (sender_.joinable()) sender_.join();
}

bool SpoolConsumer::Stopping() const {
  std::lock_guard lock(mutex_);
  return stop_requested_;
}

bool SpoolConsumer::PastDrainDeadline() const {
  std::lock_guard lock(mutex_);
  return stop_requested_ && Clock::now() >= drain_until_;
}

bool SpoolConsumer::Backoff(milliseconds delay) {
  std::unique_lock lock(mutex_);
  const auto until = Clock::now() + delay;
  wake_.wait_until(lock, until, [&] { return stop_requested_ && Clock::now() >= drain_until_; });
  return !(stop_requested_ && Clock::now() >= drain_until_);
}

std::unique_ptr<SpoolConsumer::Batch> SpoolConsumer::Gather(std::uint64_t after_seq) {
  auto batch = std::make_unique<Batch>();
  batch->last_seq = after_seq;
  std::optional<Clock::time_point> first_at;
  std::size_t record_bytes = 0, record_events = 0;  // of the records read so far
  double decode_seconds = 0;                        // decoding the records read
  while (batch->events.size() < options_.batch_events) {
    milliseconds wait = kIdleWait;
    if (first_at) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(*first_at + options_.flush_interval - Clock::now());
      if (left.count() <= 0) break;
      wait = std::min(wait, left);
    }
    const bool stopping = Stopping();
    if (stopping) wait = milliseconds(0);  // drain what is there, wait for nothing new
    // A record holds one request's events (1 to max_batch_events): read about as many bytes as the events
    // still wanted take, going by the records decoded so far (one record first), so that a batch ends within
    // one record of batch_events rather than up to kReadRecords records past it.
    const auto wanted = options_.batch_events - batch->events.size();
    const std::size_t max_records = record_bytes == 0 ? 1 : std::min(kReadRecords, wanted);
    const std::size_t max_bytes =
        record_bytes == 0 ? kReadBytes
                          : std::clamp<std::size_t>(
                              wanted * record_bytes / std::max<std::size_t>(record_events, 1), 1, kReadBytes);
    auto records = wal_.Read(batch->last_seq, max_records, max_bytes, wait);
    const auto decode_start = Clock::now();  // not the read: it includes waiting for new records
    if (records.empty()) {
      if (stopping) break;
      continue;
    }
    if (!first_at) first_at = Clock::now();
    for (auto& record : records) {
      const auto before = batch->events.size();
      try {
        DecodeEvents(record.data, batch->events);
      } catch (const CorruptRecord& e) {
        batch->events.resize(before);
        std::string framed;
        AppendFramed(framed, record.data);
        DeadLetter(record.seq, record.seq, framed, std::string("undecodable spool record: ") + e.what());
      }
      record_bytes += record.data.size();
      record_events += batch->events.size() - before;
      if (record.seq <= appended_before_start_) batch->replayed += batch->events.size() - before;
      batch->last_seq = record.seq;
      batch->records.push_back(std::move(record));
    }
    decode_seconds += SecondsSince(decode_start);
  }
  if (metrics_ != nullptr && !batch->records.empty())
    metrics_->StageSeconds(sink_.name(), "decode", decode_seconds);
  batch->event_count = batch->events.size();
  return batch;
}

bool SpoolConsumer::PrepareWithRetry(Batch& batch) {
  if (batch.events.empty()) return true;
  milliseconds backoff = options_.initial_backoff;
  for (;;) {
    try {
      const auto start = Clock::now();
      batch.prepared = sink_.Prepare(batch.events);
      if (batch.prepared) batch.events = {};  // the prepared form replaces them: half the memory
      if (metrics_ != nullptr) metrics_->StageSeconds(sink_.name(), "prepare", SecondsSince(start));
      return true;
    } catch (const StoreError& e) {
      ++failed_attempts_;
      if (metrics_ != nullptr) metrics_->DeliveryFailed(sink_.name());
      spdlog::warn("spool consumer {}: preparing {} events failed ({}); retrying in {} ms", sink_.name(),
                   batch.event_count, e.what(), backoff.count());
      if (!Backoff(backoff)) return false;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } catch (const std::exception& e) {
      std::string raw;
      for (const auto& record : batch.records)
        AppendFramed(raw, record.data);
      DeadLetter(batch.records.front().seq, batch.records.back().seq, raw, e.what());
      events_dead_lettered_ += batch.event_count;
      if (metrics_ != nullptr) metrics_->DeadLettered(sink_.name(), batch.event_count);
      batch.dead_lettered = true;
      batch.events = {};
      return true;
    }
  }
}

bool SpoolConsumer::Enqueue(std::unique_ptr<Batch> batch) {
  std::unique_lock lock(mutex_);
  queue_changed_.wait(lock, [&] { return sender_done_ || queue_.size() < options_.pipeline_depth; });
  if (sender_done_) return false;
  queue_.push_back(std::move(batch));
  queue_changed_.notify_all();
  return true;
}

void SpoolConsumer::GatherLoop() {
  std::uint64_t gathered_seq = wal_.committed(sink_.name());
  for (;;) {
    auto batch = Gather(gathered_seq);
    if (batch->last_seq == gathered_seq) {  // nothing: Gather only returns so when stopping
      if (Stopping()) break;
      continue;
    }
    if (PastDrainDeadline()) break;  // what was read stays in the spool for the next start
    gathered_seq = batch->last_seq;
    if (!PrepareWithRetry(*batch)) break;  // stopping: the batch stays in the spool for the next start
    if (!Enqueue(std::move(batch))) break;
  }
  std::lock_guard lock(mutex_);
  gather_done_ = true;
  queue_changed_.notify_all();
}

void SpoolConsumer::SendLoop() {
  const std::string name(sink_.name());
  milliseconds backoff = options_.initial_backoff;
  for (;;) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock lock(mutex_);
      queue_changed_.wait(lock, [&] { return !queue_.empty() || gather_done_; });
      if (queue_.empty()) break;  // gather_done_: everything gathered was sent
      if (stop_requested_ && Clock::now() >= drain_until_) break;  // the rest stays in the spool
      batch = std::move(queue_.front());
      queue_.pop_front();
      queue_changed_.notify_all();
    }

    // Deliver it, retrying the same batch while the store is unavailable.
    bool quit = false;
    while (!batch->dead_lettered && batch->event_count > 0) {
      const auto start = Clock::now();
      try {
        if (batch->prepared)
          sink_.Send(*batch->prepared);
        else
          sink_.Deliver(batch->events);
        if (metrics_ != nullptr) {
          metrics_->Delivered(name, batch->event_count, SecondsSince(start));
          metrics_->StageSeconds(name, "send", SecondsSince(start));
          if (batch->replayed > 0) metrics_->Replayed(name, batch->replayed);
        }
        events_delivered_ += batch->event_count;
        backoff = options_.initial_backoff;
        break;
      } catch (const StoreError& e) {
        ++failed_attempts_;
        if (metrics_ != nullptr) metrics_->DeliveryFailed(name);
        spdlog::warn("spool consumer {}: delivery of {} events failed ({}); retrying in {} ms", name,
                     batch->event_count, e.what(), backoff.count());
        if (!Backoff(backoff)) {  // stopping: the batch stays in the spool for the next start
          quit = true;
          break;
        }
        backoff = std::min(backoff * 2, options_.max_backoff);
      } catch (const std::exception& e) {
        std::string raw;
        for (const auto& record : batch->records)
          AppendFramed(raw, record.data);
        DeadLetter(batch->records.front().seq, batch->records.back().seq, raw, e.what());
        events_dead_lettered_ += batch->event_count;
        if (metrics_ != nullptr) metrics_->DeadLettered(name, batch->event_count);
        break;
      }
    }
    if (quit) break;

    // Commit: from here on the spool may drop these records.
    wal_.Commit(name, batch->last_seq);
    if (metrics_ != nullptr) {
      const auto stats = wal_.stats();
      metrics_->SpoolState(stats.bytes, stats.segments);
      if (auto it = stats.lag_records.find(name); it != stats.lag_records.end())
        metrics_->Lag(name, it->second);
    }
  }
  std::lock_guard lock(mutex_);
  sender_done_ = true;
  queue_changed_.notify_all();
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
