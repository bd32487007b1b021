#include "training/pg_user_activity_reader.h"

#include <string_view>
#include <unordered_map>

#include "storage/postgres/pg_pool.h"

namespace cinerec::training {
namespace {

// A batch job: one snapshot, nothing written; the aggregate may take longer than the pool's per-statement
// timeout (set for the API), so this transaction lifts it.
constexpr std::string_view kSnapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
constexpr std::string_view kNoTimeout = "SET LOCAL statement_timeout = 0";

constexpr std::string_view kGenres = "SELECT id, name FROM genres ORDER BY id";
constexpr std::string_view kMovieGenres = "SELECT movie_id, genre_id FROM movie_genres";

// $1 since, $2 until (NULL = unbounded), $3 completed share. least/greatest skip NULLs, so a pair with only
// views or only a reaction gets the times it has.
constexpr std::string_view kDeclarePairs = R"sql(
DECLARE feature_pairs NO SCROLL CURSOR FOR
WITH v AS (
  SELECT v.user_id, v.movie_id, count(*) AS views,
         count(*) FILTER (WHERE v.completed
                          OR (m.duration_s > 0 AND v.watched_s >= $3::float8 * m.duration_s)) AS completed,
         min(v.started_at) AS first_at, max(v.last_event_at) AS last_at
  FROM views v JOIN movies m ON m.id = v.movie_id
  WHERE m.deleted_at IS NULL
    AND ($1::timestamptz IS NULL OR v.last_event_at >= $1::timestamptz)
    AND ($2::timestamptz IS NULL OR v.last_event_at < $2::timestamptz)
  GROUP BY v.user_id, v.movie_id),
r AS (
  SELECT r.user_id, r.movie_id, r.value, r.event_time
  FROM reactions r JOIN movies m ON m.id = r.movie_id
  WHERE m.deleted_at IS NULL AND r.value <> 0
    AND ($1::timestamptz IS NULL OR r.event_time >= $1::timestamptz)
    AND ($2::timestamptz IS NULL OR r.event_time < $2::timestamptz))
SELECT coalesce(v.user_id, r.user_id), coalesce(v.movie_id, r.movie_id), coalesce(v.views, 0),
       coalesce(v.completed, 0), coalesce(r.value, 0),
       (extract(epoch FROM least(v.first_at, r.event_time)) * 1000)::bigint,
       (extract(epoch FROM greatest(v.last_at, r.event_time)) * 1000)::bigint
FROM v FULL JOIN r ON r.user_id = v.user_id AND r.movie_id = v.movie_id)sql";

}  // namespace

UserActivity ReadUserActivity(PgPool& pg, const ActivityReadOptions& options) {
  UserActivity out;
  pg.Transaction([&](PgConnection& conn) {
    conn.Exec(kSnapshot);
    conn.Exec(kNoTimeout);
    std::unordered_map<std::int64_t, std::int32_t> genre_index;
    const PgResult genres = conn.Exec(kGenres);
    for (int r = 0; r < genres.rows(); ++r) {
      genre_index.emplace(genres.GetInt(r, 0), static_cast<std::int32_t>(out.genres.size()));
      out.genres.emplace_back(genres.Get(r, 1));
    }
    std::unordered_map<std::int64_t, std::vector<std::int32_t>> movie_genres;
    const PgResult links = conn.Exec(kMovieGenres);
    for (int r = 0; r < links.rows(); ++r)
      movie_genres[links.GetInt(r, 0)].push_back(genre_index.at(links.GetInt(r, 1)));

    UserProfileBuilder builder(out.genres.size(), std::move(movie_genres));
    conn.Exec(kDeclarePairs, PgParams(options.since, options.until, options.completed_share));
    const std::string fetch = "FETCH FORWARD " + std::to_string(options.page_rows) + " FROM feature_pairs";
    for (;;) {
      const PgResult page = conn.Exec(fetch);
      if (page.rows() == 0) break;
      for (int r = 0; r < page.rows(); ++r) {
        PairActivity pair;
        pair.user_id = page.GetInt(r, 0);
        pair.movie_id = page.GetInt(r, 1);
        pair.views = static_cast<std::int32_t>(page.GetInt(r, 2));
        pair.completed_views = static_cast<std::int32_t>(page.GetInt(r, 3));
        pair.reaction = static_cast<std::int32_t>(page.GetInt(r, 4));
        pair.first_ms = page.GetInt(r, 5);
        pair.last_ms = page.GetInt(r, 6);
        builder.Add(pair);
        ++out.pairs;
      }
    }
    conn.Exec("CLOSE feature_pairs");
    out.profiles = builder.Finish();
  });
  return out;
}

}  // namespace cinerec::training
