#pragma once
// SpoolConsumer: moves events from the spool (write-ahead log) into one sink, in batches, on two threads.
//
// Gathering thread: read records after the last gathered one, decode them, and gather events until
// `batch_events` or until `flush_interval` has passed since the first one; let the sink prepare the batch
// (EventSink::Prepare: enrich, format) and queue it. Sending thread: deliver the queued batches in order,
// then commit each one's last sequence number in the spool (which may then drop the segment). The queue
// holds at most `pipeline_depth` batches, so memory stays bounded while the next batch is read, decoded and
// prepared during the previous one's round trip to the store. A delivery that fails with StoreError is
// retried, with the SAME batch, with exponential back-off: nothing is skipped and order is kept, while the
// spool absorbs the backlog on disk. A batch the store refuses for good (any other exception: a bug or a
// poison row) is written to `<spool>/dead-letter/` with the reason, counted, and passed over, so that one bad
// batch cannot stop the pipeline and no acknowledged event is silently dropped.
//
// After a crash the uncommitted tail is delivered again: sinks are idempotent (event_id keys).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

namespace cinerec::collect {

class EventSink;
class Wal;
class CollectMetrics;

class SpoolConsumer {
 public:
  struct Options {
    std::size_t batch_events = 10000;
    std::chrono::milliseconds flush_interval{1000};
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    std::filesystem::path dead_letter_dir;  // empty = <no dead letters kept> (tests)
    std::size_t pipeline_depth = 2;         // gathered batches waiting to be sent, at most (>= 1)
  };
  // Starts the threads. REQUIRES: wal, sink and metrics (may be null) outlive the consumer.
  SpoolConsumer(Wal& wal, EventSink& sink, Options options, CollectMetrics* metrics);
  ~SpoolConsumer();  // Stop(0)
  SpoolConsumer(const SpoolConsumer&) = delete;
  SpoolConsumer& operator=(const SpoolConsumer&) = delete;

  // Delivers what is already spooled for up to `drain`, then stops the threads. What is left stays in the
  // spool for the next start.
  void Stop(std::chrono::milliseconds drain);

  std::uint64_t events_delivered() const { return events_delivered_.load(); }
  std::uint64_t failed_attempts() const { return failed_attempts_.load(); }
  std::uint64_t events_dead_lettered() const { return events_dead_lettered_.load(); }

 private:
  struct Batch;
  void GatherLoop();
  void SendLoop();
  // Reads and decodes the next batch after `after_seq`; an empty batch (last_seq == after_seq) when stopping
  // and nothing is left.
  std::unique_ptr<Batch> Gather(std::uint64_t after_seq);
  // The gathering thread's part of delivery: Prepare, retried while the store is unavailable. False when
  // stopping past the drain deadline.
  bool PrepareWithRetry(Batch& batch);
  // Hands a batch to the sending thread, waiting while the queue is full. False when the sender has quit.
  bool Enqueue(std::unique_ptr<Batch> batch);
  bool Stopping() const;
  bool PastDrainDeadline() const;
  // Sleeps for `delay` unless Stop is called; returns false when stopping past the drain deadline.
  bool Backoff(std::chrono::milliseconds delay);
  void DeadLetter(std::uint64_t first_seq, std::uint64_t last_seq, const std::string& records,
                  const std::string& reason);

  Wal& wal_;
  EventSink& sink_;
  const Options options_;
  CollectMetrics* metrics_;
  const std::uint64_t appended_before_start_;  // records of earlier processes: delivering them is a replay

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;                        // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point drain_until_;  // GUARDED_BY(mutex_)
  std::deque<std::unique_ptr<Batch>> queue_;           // GUARDED_BY(mutex_)
  bool gather_done_ = false;                           // GUARDED_BY(mutex_): nothing more will be queued
  bool sender_done_ = false;                           // GUARDED_BY(mutex_): the sending thread has quit
  std::condition_variable queue_changed_;

  std::atomic<std::uint64_t> events_delivered_{0}, failed_attempts_{0}, events_dead_lettered_{0};
  std::thread gatherer_;  // last: start after every member above is ready
  std::thread sender_;
};

}  // namespace cinerec::collect
