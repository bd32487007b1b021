#include "collect/postgres_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "collect/postgres_sink_sql.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/utf8.h"
#include "storage/postgres/pg_array.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::collect {
namespace {

// The column limits of views (0003_activity.sql), in bytes: the event parser enforces the same byte limits,
// so within them char_length() fits too. Checked again here so that no event can make a statement fail.
constexpr std::size_t kMaxSessionKeyBytes = 128;
constexpr std::size_t kMaxDeviceBytes = 64;
constexpr auto kSkipWarningInterval = std::chrono::seconds(5);

bool Storable(std::string_view text, std::size_t max_bytes) {
  return text.size() <= max_bytes && text.find('\0') == std::string_view::npos && IsValidUtf8(text);
}

// The integer columns are 32-bit; event seconds are unsigned.
std::int32_t Clamp32(std::uint32_t seconds) {
  return static_cast<std::int32_t>(
      std::min<std::uint32_t>(seconds, std::numeric_limits<std::int32_t>::max()));
}

int ReactionValue(EventType type) {
  if (type == EventType::kLike) return 1;
  if (type == EventType::kDislike) return -1;
  return 0;
}

// Folds one more watch event of the same session into its row. Every rule is commutative, so the row does
// not depend on the order of the events.
void FoldWatch(ViewRow& row, const Event& e, const Event*& first) {
  const auto position = Clamp32(e.position_s);
  if (std::tie(e.event_time_ms, e.event_id) < std::tie(first->event_time_ms, first->event_id)) {
    first = &e;
    row.movie_id = e.movie_id;
  }
  row.started_ms = std::min(row.started_ms, e.event_time_ms);
  if (std::tie(e.event_time_ms, position) > std::tie(row.last_ms, row.last_position_s)) {
    row.last_ms = e.event_time_ms;
    row.last_position_s = position;
  }
  row.watched_s = std::max(row.watched_s, Clamp32(e.watched_s));
  row.reach_s = std::max({row.reach_s, position, row.watched_s});
  row.start_or_stop |= e.type == EventType::kViewStart || e.type == EventType::kViewStop;
}

ViewRow NewViewRow(const Event& e) {
  ViewRow row;
  row.user_id = e.user_id;
  row.movie_id = e.movie_id;
  row.session_key = e.session_id;
  row.started_ms = row.last_ms = e.event_time_ms;
  row.last_position_s = Clamp32(e.position_s);
  row.watched_s = Clamp32(e.watched_s);
  row.reach_s = std::max(row.last_position_s, row.watched_s);
  row.start_or_stop = e.type == EventType::kViewStart || e.type == EventType::kViewStop;
  return row;
}

// The device of the latest event that has one (ties: the greater text, so that order does not matter).
std::string LatestDevice(std::span<const Event* const> session) {
  const Event* best = nullptr;
  for (const Event* e : session) {
    if (e->device.empty() || !Storable(e->device, kMaxDeviceBytes)) continue;
    if (best == nullptr
        || std::tie(e->event_time_ms, e->device) > std::tie(best->event_time_ms, best->device))
      best = e;
  }
  return best != nullptr ? best->device : std::string();
}

ViewRow AggregateSession(std::span<const Event* const> session) {
  ViewRow row = NewViewRow(*session.front());
  const Event* first = session.front();
  for (const Event* e : session.subspan(1))
    FoldWatch(row, *e, first);
  row.device = LatestDevice(session);
  return row;
}

ReactionRow LatestReaction(std::span<const Event* const> pair) {
  const Event* last = *std::max_element(pair.begin(), pair.end(), [](const Event* a, const Event* b) {
    return std::tie(a->event_time_ms, a->event_id) < std::tie(b->event_time_ms, b->event_id);
  });
  return {last->user_id, last->movie_id, ReactionValue(last->type), last->event_time_ms, last->event_id};
}

// Calls fn(group) for each run of `events` (sorted) that `same` says belong together.
template <typename Same, typename Fn>
void ForEachGroup(const std::vector<const Event*>& events, Same same, Fn fn) {
  std::size_t begin = 0;
  for (std::size_t i = 1; i <= events.size(); ++i) {
    if (i < events.size() && same(*events[begin], *events[i])) continue;
    if (begin < i) fn(std::span<const Event* const>(events.data() + begin, i - begin));
    begin = i;
  }
}

// Reads the ('w' | 's', user_id, movie_id, value) rows both statements return: calls on_write for 'w' rows
// and counts 's' rows into `skipped`.
template <typename OnWrite>
void ReadOutcome(const PgResult& result, std::uint64_t& skipped, std::int64_t& example_user,
                 std::int64_t& example_movie, OnWrite on_write) {
  for (int r = 0; r < result.rows(); ++r) {
    const auto user = result.GetInt(r, 1), movie = result.GetInt(r, 2);
    if (result.Get(r, 0) == "w") {
      on_write(user, movie, static_cast<int>(result.GetInt(r, 3)));
    } else {
      ++skipped;
      example_user = user;
      example_movie = movie;
    }
  }
}

// A failure that is over when the transaction is tried again later: the consumer retries on StoreError.
bool IsTransient(const PgQueryError& e) {
  return e.sqlstate() == "40P01" || e.sqlstate() == "40001";
}

}  // namespace

AggregatedBatch AggregateBatch(std::span<const Event> events) {
  AggregatedBatch batch;
  std::vector<const Event*> watch, reactions;
  for (const auto& e : events) {
    if (IsWatchEvent(e.type)) {
      if (!e.session_id.empty() && Storable(e.session_id, kMaxSessionKeyBytes))
        watch.push_back(&e);
      else
        ++batch.malformed;
    } else if (IsReactionEvent(e.type)) {
      reactions.push_back(&e);
    }
  }
  auto session_key = [](const Event* e) { return std::tie(e->user_id, e->session_id); };
  std::sort(watch.begin(), watch.end(), [&](auto* a, auto* b) { return session_key(a) < session_key(b); });
  ForEachGroup(
      watch, [&](const Event& a, const Event& b) { return session_key(&a) == session_key(&b); },
      [&](auto session) { batch.views.push_back(AggregateSession(session)); });

  auto pair_key = [](const Event* e) { return std::tie(e->user_id, e->movie_id); };
  std::sort(reactions.begin(), reactions.end(), [&](auto* a, auto* b) { return pair_key(a) < pair_key(b); });
  ForEachGroup(
      reactions, [&](const Event& a, const Event& b) { return pair_key(&a) == pair_key(&b); },
      [&](auto pair) { batch.reactions.push_back(LatestReaction(pair)); });
  return batch;
}

PostgresSink::PostgresSink(PgPool& pool, const CollectConfig& config, UserActivityPublisher* publisher)
    : pool_(pool),
      completion_threshold_(config.completion_threshold),
      chunk_keys_(std::max<std::size_t>(config.postgres_batch_events, 1)),
      publisher_(publisher) {}

void PostgresSink::Deliver(std::span<const Event> events) {
  const auto batch = AggregateBatch(events);
  if (batch.views.empty() && batch.reactions.empty()) {
    CountSkipped({}, batch.malformed);
    return;
  }
  const auto changes = Write(batch);
  CountSkipped(changes, batch.malformed);
  // After the commit: a recommendation recomputed on this signal must not read the state from before it.
  if (publisher_ != nullptr && (!changes.reactions.empty() || !changes.views.empty()))
    publisher_->Publish(changes.reactions, changes.views);
}

PostgresSink::Changes PostgresSink::Write(const AggregatedBatch& batch) {
  try {
    auto lease = pool_.Acquire();
    try {
      return lease->Transaction([&](PgConnection& conn) { return WriteOnce(conn, batch); });
    } catch (const PgQueryError& e) {
      // The join saw a user or movie that a concurrent transaction deleted before our insert: once more,
      // the join now skips it.
      if (!e.is_foreign_key_violation()) throw;
      spdlog::info("postgres sink: a user or movie was deleted during the write; retrying once ({})",
                   e.what());
      return lease->Transaction([&](PgConnection& conn) { return WriteOnce(conn, batch); });
    }
  } catch (const PgQueryError& e) {
    if (IsTransient(e)) throw StoreError("postgres", e.what());
    throw;
  }
}

PostgresSink::Changes PostgresSink::WriteOnce(PgConnection& conn, const AggregatedBatch& batch) {
  Changes changes;
  conn.Exec(sql::kTransactionSettings);
  const std::span<const ViewRow> views(batch.views);
  for (std::size_t at = 0; at < views.size(); at += chunk_keys_)
    WriteViews(conn, views.subspan(at, std::min(chunk_keys_, views.size() - at)), changes);
  const std::span<const ReactionRow> reactions(batch.reactions);
  for (std::size_t at = 0; at < reactions.size(); at += chunk_keys_)
    WriteReactions(conn, reactions.subspan(at, std::min(chunk_keys_, reactions.size() - at)), changes);
  return changes;
}

void PostgresSink::WriteViews(PgConnection& conn, std::span<const ViewRow> rows, Changes& changes) {
  PgArrayLiteral users, movies, keys, started, last, position, watched, reach, start_stop, devices;
  for (const auto& row : rows) {
    users.Add(row.user_id);
    movies.Add(row.movie_id);
    keys.Add(std::string_view(row.session_key));
    started.Add(row.started_ms);
    last.Add(row.last_ms);
    position.Add(std::int64_t{row.last_position_s});
    watched.Add(std::int64_t{row.watched_s});
    reach.Add(std::int64_t{row.reach_s});
    start_stop.Add(row.start_or_stop);
    devices.Add(std::string_view(row.device));
  }
  PgParams params(users.Finish(), movies.Finish(), keys.Finish(), started.Finish(), last.Finish(),
                  position.Finish(), watched.Finish(), reach.Finish(), start_stop.Finish(), devices.Finish());
  params.Add(completion_threshold_);
  const auto result = conn.Exec(sql::kUpsertViews, params);
  ReadOutcome(result, changes.skipped, changes.example_user, changes.example_movie,
              [&](std::int64_t user, std::int64_t movie, int completed) {
                changes.views.push_back({user, movie, completed != 0});
              });
}

void PostgresSink::WriteReactions(PgConnection& conn, std::span<const ReactionRow> rows, Changes& changes) {
  PgArrayLiteral users, movies, values, times, ids;
  for (const auto& row : rows) {
    users.Add(row.user_id);
    movies.Add(row.movie_id);
    values.Add(std::int64_t{row.value});
    times.Add(row.event_time_ms);
    ids.Add(std::string_view(row.event_id));
  }
  const auto result =
      conn.Exec(sql::kUpsertReactions,
                PgParams(users.Finish(), movies.Finish(), values.Finish(), times.Finish(), ids.Finish()));
  ReadOutcome(result, changes.skipped, changes.example_user, changes.example_movie,
              [&](std::int64_t user, std::int64_t movie, int value) {
                changes.reactions.push_back({user, movie, value});
              });
}

void PostgresSink::CountSkipped(const Changes& changes, std::uint64_t malformed) {
  const auto skipped = changes.skipped + malformed;
  if (skipped == 0) return;
  rows_skipped_ += skipped;
  unreported_skips_ += skipped;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_warning_ < kSkipWarningInterval) return;
  last_warning_ = now;
  spdlog::warn(
      "postgres sink: skipped {} rows since the last warning: of unknown users or movies (the last: user {}, "
      "movie {}) or with a session id views cannot hold ({} in this batch)",
      unreported_skips_, changes.example_user, changes.example_movie, malformed);
  unreported_skips_ = 0;
}

}  // namespace cinerec::collect
