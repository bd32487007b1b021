#pragma once
// PostgresSink: the spool consumer "postgres". It writes the durable facts of the events: watch sessions into
// `views`, likes / dislikes / clears into `reactions` (docs/data-model.md), then tells the serving side what
// changed (UserActivityPublisher).
//
// A Deliver call is aggregated in C++ first, one row per conflict key (AggregateBatch), then written in one
// transaction, one statement per table per chunk of `postgres_batch_events` keys (postgres_sink_sql.h). The
// upserts are idempotent and order-independent, so a replayed, overlapping or reordered batch converges to
// the same rows:
//   views     (user_id, session_key): started_at = earliest event, last_event_at / last_position_s from the
//             latest event (ties: the greater position), watched_s = max, completed = once past
//             completion_threshold x movies.duration_s by position or watched seconds (never, while the
//             movie's length is unknown), device = the latest non-empty one. The movie is the one of the
//             session's first row (a session that switches movies is a client bug; it is not followed).
//   reactions (user_id, movie_id): the event with the greatest (event_time, event_id) wins; clear = 0.
// Rows of unknown users or movies (an API key may send any user id; a user may be erased meanwhile) are
// skipped and counted in rows_skipped(), as are watch events whose session id the table cannot hold; a
// warning is logged at most every few seconds. A foreign-key violation from a concurrent delete retries the
// transaction once. A deadlock or serialization failure is reported as StoreError, so that the consumer
// retries the batch instead of dead-lettering it. synchronous_commit stays on: the spool drops the events
// once Deliver returns.
//
// Publish (after the commit, if a publisher is given) receives the rows this call actually changed: every
// changed reaction with its stored value, and the sessions that got a view_start / view_stop or became
// completed (progress alone publishes nothing: it changes no recommendation).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collect/sink.h"
#include "collect/user_activity.h"

namespace cinerec {
class PgPool;
class PgConnection;
struct CollectConfig;
}  // namespace cinerec

namespace cinerec::collect {

// One views row to upsert: the aggregate of a session's watch events in the batch.
struct ViewRow {
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;
  std::string session_key;
  std::int64_t started_ms = 0;       // earliest event time
  std::int64_t last_ms = 0;          // latest event time
  std::int32_t last_position_s = 0;  // position of the latest event (greatest on a tie)
  std::int32_t watched_s = 0;        // greatest watched seconds (view_stop)
  std::int32_t reach_s = 0;          // greatest position or watched seconds: decides completion
  bool start_or_stop = false;        // a view_start or view_stop is among the events
  std::string device;                // of the latest event with a device ("" when none has one)

  bool operator==(const ViewRow&) const = default;
};

// One reactions row to upsert: the winning event of a (user, movie) pair in the batch.
struct ReactionRow {
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;
  int value = 0;  // +1 like, -1 dislike, 0 cleared
  std::int64_t event_time_ms = 0;
  std::string event_id;

  bool operator==(const ReactionRow&) const = default;
};

struct AggregatedBatch {
  std::vector<ViewRow> views;          // sorted by (user_id, session_key): a stable lock order
  std::vector<ReactionRow> reactions;  // sorted by (user_id, movie_id)
  std::uint64_t malformed =
      0;  // watch events whose session id views cannot hold (empty, too long, not UTF-8)
};

// Pure: the rows a batch writes, whatever the order of its events. Other event types are ignored.
AggregatedBatch AggregateBatch(std::span<const Event> events);

class PostgresSink final : public EventSink {
 public:
  // REQUIRES: pool and publisher (may be null) outlive this. Reads completion_threshold and
  // postgres_batch_events from config.
  PostgresSink(PgPool& pool, const CollectConfig& config, UserActivityPublisher* publisher);

  std::string_view name() const override { return "postgres"; }
  void Deliver(std::span<const Event> events) override;

  // Rows (views sessions, reactions) not written because their user or movie does not exist, or their
  // session id is malformed.
  std::uint64_t rows_skipped() const { return rows_skipped_.load(); }

 private:
  struct Changes {
    std::vector<ReactionChange> reactions;
    std::vector<ViewChange> views;
    std::uint64_t skipped = 0;
    std::int64_t example_user = 0, example_movie = 0;  // of a skipped row, for the log
  };
  Changes Write(const AggregatedBatch& batch);
  Changes WriteOnce(PgConnection& conn, const AggregatedBatch& batch);
  void WriteViews(PgConnection& conn, std::span<const ViewRow> rows, Changes& changes);
  void WriteReactions(PgConnection& conn, std::span<const ReactionRow> rows, Changes& changes);
  void CountSkipped(const Changes& changes, std::uint64_t malformed);

  PgPool& pool_;
  const double completion_threshold_;
  const std::size_t chunk_keys_;
  UserActivityPublisher* publisher_;
  std::atomic<std::uint64_t> rows_skipped_{0};
  // Only the consumer thread: the skip warning's rate limit and what it has not reported yet.
  std::chrono::steady_clock::time_point last_warning_{};
  std::uint64_t unreported_skips_ = 0;
};

}  // namespace cinerec::collect
