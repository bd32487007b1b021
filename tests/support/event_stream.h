#pragma once
// EventStream: a load generator for the collection tests. It makes N viewer events of a realistic mix for
// the given users and movies (watch sessions view_start -> view_progress / pause / seek -> view_stop, each
// with its own session id; likes and dislikes; clicks, trailer plays, searches, page views; every event with
// a fresh UUID event_id), and sends them as batches to POST /v1/events at a paced rate over a few keep-alive
// connections, with an admin API key (events for any user).
//
// It behaves like a real at-least-once client: a batch that fails (connection refused or reset, timeout,
// 429, 503 or any 5xx) is sent again later with the SAME events and ids, until it is acknowledged or the
// stream gives up (`give_up_after`). Fresh batches keep their pace meanwhile, so the stream goes on while the
// service is down or being restarted (`port` is asked again for every new connection).
//
// Per event it records whether it was acknowledged: its batch got 200 or 207 and the event is not among the
// batch's "errors". Rejected events (4xx, or listed in "errors") are final and counted separately.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cinerec::testing {

struct StreamEvent {
  std::string event_id;  // lower-case UUID
  std::string type;      // wire name: view_start, like, search, ...
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;     // 0 = none
  std::string session_id;        // watch events
  std::uint32_t position_s = 0;  // watch events (view_seek: the "to" position)
  std::uint32_t watched_s = 0;   // view_stop
  std::int64_t offset_ms = 0;    // event time relative to the stream's start
  std::int64_t time_ms = 0;      // event time sent (Unix ms); set when its batch is first sent

  bool IsWatch() const { return type.rfind("view_", 0) == 0; }
  bool IsReaction() const { return type == "like" || type == "dislike"; }
};

enum class EventState : std::uint8_t { kPending, kSent, kAcknowledged, kRejected };

class EventStream {
 public:
  struct Options {
    std::function<unsigned short()> port;  // where the service listens now
    std::string api_key;                   // admin key: events for any user
    std::vector<std::int64_t> users;
    std::vector<std::int64_t> movies;
    std::size_t events = 50000;  // generated; all are sent unless FinishFresh is called
    double events_per_s = 2000;  // pace of fresh events (retries come on top)
    std::size_t batch_events = 100;
    int senders = 3;                                   // concurrent keep-alive connections
    std::chrono::seconds give_up_after{180};           // from Start: unacknowledged batches are abandoned
    std::chrono::milliseconds request_timeout{10000};  // connect + write + read of one request
    std::chrono::milliseconds max_retry_delay{1000};   // back-off cap (Retry-After is honoured up to 5 s)
    std::uint64_t seed = 1;                            // the mix (not the ids, which are always fresh)
  };

  struct Stats {
    std::size_t events = 0;                       // generated
    std::size_t sent = 0;                         // events sent at least once
    std::size_t acknowledged = 0;                 // events acknowledged
    std::size_t rejected = 0;                     // events refused for good (4xx or listed in "errors")
    std::size_t requests = 0;                     // POSTs attempted
    std::size_t failed_requests = 0;              // attempts to be retried (network error, timeout, 429, 5xx)
    std::size_t network_errors = 0;               // of which: no HTTP answer (refused, reset, timeout)
    std::size_t retried_batches = 0;              // batches sent more than once
    std::size_t abandoned_batches = 0;            // batches neither acknowledged nor rejected at the end
    std::map<int, std::size_t> statuses;          // HTTP status -> answers
    double send_seconds = 0;                      // from the first fresh send to the last fresh send
    double offered_rate = 0;                      // fresh events per second over send_seconds
    double total_seconds = 0;                     // from Start to the last batch resolved (or given up)
    std::vector<std::string> rejection_examples;  // the first few reasons
    std::string Describe() const;                 // one line for test output
  };

  explicit EventStream(Options options);  // generates the events; no I/O yet
  ~EventStream();                         // stops the senders (waits for requests in flight)
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  void Start();
  // Sends no fresh batch from now on: the stream ends with the events sent so far (its batches are still
  // retried until acknowledged). For streams whose length follows the test's events rather than a count.
  void FinishFresh();
  // Waits until every batch is acknowledged or rejected, or give_up_after has passed since Start.
  Stats Wait();

  // Progress, from any thread.
  std::size_t fresh_sent() const { return fresh_sent_.load(); }  // events sent at least once
  std::size_t acknowledged() const { return acknowledged_.load(); }
  double seconds_since_start() const;
  Stats stats() const;

  // After Wait (or, for a snapshot, from any thread: states are read under the lock).
  const std::vector<StreamEvent>& events() const { return events_; }
  std::vector<EventState> states() const;
  std::vector<std::size_t> AcknowledgedIndices() const;

 private:
  struct BatchState {
    std::size_t first = 0, count = 0;  // events_[first, first + count)
    std::string body;                  // serialised at the first send, reused by retries
    int attempts = 0;
    bool in_flight = false, resolved = false;
    std::chrono::steady_clock::time_point not_before{};  // for a retry
  };
  enum class Outcome { kAcknowledged, kRetry, kRejected };
  struct Answer {
    Outcome outcome = Outcome::kRetry;
    int status = 0;                                             // 0: no HTTP answer
    std::vector<std::pair<std::size_t, std::string>> rejected;  // batch index, reason (207)
    std::string reason;                                         // whole batch rejected / retried: why
    std::chrono::milliseconds retry_after{0};
  };
  class Connection;

  void Generate();
  std::string Serialise(BatchState& batch);  // REQUIRES: mutex_ held
  void SenderLoop();
  Answer Send(Connection& connection, const std::string& body);
  void Record(std::size_t batch_index, const Answer& answer);

  const Options options_;
  std::vector<StreamEvent> events_;
  std::vector<EventState> states_;   // GUARDED_BY(mutex_)
  std::vector<BatchState> batches_;  // GUARDED_BY(mutex_)

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t next_fresh_ = 0;  // GUARDED_BY(mutex_): the next batch never sent
  std::size_t resolved_ = 0;    // GUARDED_BY(mutex_)
  std::size_t active_ = 0;      // GUARDED_BY(mutex_): batches that are part of the stream (FinishFresh)
  bool stop_ = false;           // GUARDED_BY(mutex_)
  Stats stats_;                 // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point start_{}, first_send_{}, last_fresh_send_{}, end_{};
  std::int64_t start_wall_ms_ = 0;
  std::atomic<std::size_t> fresh_sent_{0}, acknowledged_{0};
  std::vector<std::thread> senders_;
};

}  // namespace cinerec::testing
