#include "training/pg_interaction_reader.h"

#include <string_view>
#include <vector>

#include "storage/postgres/pg_pool.h"
#include "training/view_signals.h"

namespace cinerec::training {
namespace {

constexpr std::string_view kSnapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

// $1 since, $2 until (NULL = unbounded).
constexpr std::string_view kDeclareViews = R"sql(
DECLARE train_views NO SCROLL CURSOR FOR
SELECT v.user_id, v.movie_id, v.watched_s, v.completed, m.duration_s,
       (extract(epoch FROM v.last_event_at) * 1000)::bigint
FROM views v JOIN movies m ON m.id = v.movie_id
WHERE m.deleted_at IS NULL
  AND ($1::timestamptz IS NULL OR v.last_event_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR v.last_event_at < $2::timestamptz)
ORDER BY v.user_id, v.movie_id, v.last_event_at, v.id)sql";

constexpr std::string_view kDeclareReactions = R"sql(
DECLARE train_reactions NO SCROLL CURSOR FOR
SELECT r.user_id, r.movie_id, r.value, (extract(epoch FROM r.event_time) * 1000)::bigint
FROM reactions r JOIN movies m ON m.id = r.movie_id
WHERE m.deleted_at IS NULL AND r.value <> 0
  AND ($1::timestamptz IS NULL OR r.event_time >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR r.event_time < $2::timestamptz)
ORDER BY r.user_id, r.movie_id)sql";

// Runs fn(result) on each page of the cursor until it is exhausted.
template <typename Fn>
void ForEachPage(PgConnection& conn, std::string_view cursor, int page_rows, Fn&& fn) {
  const std::string fetch = "FETCH FORWARD " + std::to_string(page_rows) + " FROM " + std::string(cursor);
  for (;;) {
    PgResult page = conn.Exec(fetch);
    if (page.rows() == 0) break;
    fn(page);
  }
  conn.Exec("CLOSE " + std::string(cursor));
}

}  // namespace

ReadCounts ReadInteractions(PgPool& pg, const ReadOptions& options, ml::InteractionBuilder& builder) {
  ReadCounts counts;
  const PgParams window(options.since, options.until);
  const float completed_share = builder.weights().completed_share;
  auto add = [&](std::int64_t user, std::int64_t movie, const ml::Signal& signal) {
    if (builder.Add(user, movie, signal)) {
      ++counts.signals;
      counts.rewatches += signal.kind == ml::SignalKind::kRewatch ? 1 : 0;
    } else {
      ++counts.dropped;
    }
  };
  std::vector<ViewRow> pair;  // the views of one (user, movie) so far
  auto flush = [&] {
    if (pair.empty()) return;
    const auto signals = ViewSignals(pair, completed_share);
    counts.dropped += static_cast<std::int64_t>(pair.size() - signals.size());
    for (const auto& signal : signals)
      add(pair.front().user_id, pair.front().movie_id, signal);
    pair.clear();
  };

  pg.Transaction([&](PgConnection& conn) {
    // One snapshot for views and reactions; nothing is written.
    conn.Exec(kSnapshot);
    conn.Exec(kDeclareViews, window);
    ForEachPage(conn, "train_views", options.page_rows, [&](const PgResult& page) {
      for (int r = 0; r < page.rows(); ++r) {
        ViewRow row;
        row.user_id = page.GetInt(r, 0);
        row.movie_id = page.GetInt(r, 1);
        row.watched_s = page.GetInt(r, 2);
        row.completed = page.GetBool(r, 3);
        if (!page.IsNull(r, 4)) row.duration_s = page.GetInt(r, 4);
        row.time_ms = page.GetInt(r, 5);
        if (!pair.empty() && (pair.front().user_id != row.user_id || pair.front().movie_id != row.movie_id))
          flush();
        pair.push_back(row);
        ++counts.views;
      }
    });
    flush();

    conn.Exec(kDeclareReactions, window);
    ForEachPage(conn, "train_reactions", options.page_rows, [&](const PgResult& page) {
      for (int r = 0; r < page.rows(); ++r) {
        ++counts.reactions;
        auto signal = ReactionSignal(static_cast<int>(page.GetInt(r, 2)), page.GetInt(r, 3));
        if (signal) {
          add(page.GetInt(r, 0), page.GetInt(r, 1), *signal);
        } else {
          ++counts.dropped;
        }
      }
    });
  });
  return counts;
}

}  // namespace cinerec::training
