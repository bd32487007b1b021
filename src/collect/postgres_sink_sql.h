#pragma once
// The SQL of PostgresSink, in one place. Each statement takes one chunk of rows pre-aggregated in C++ (at
// most one row per conflict key, as ON CONFLICT DO UPDATE requires) as parallel text-format arrays, and:
//  - skips rows whose user or movie does not exist (the join), so that one stranger cannot fail the batch;
//  - upserts the rest with the order-independent rules of migrations/postgres/0003_activity.sql, updating
//    a row only when the chunk actually moves it (a replay writes nothing and returns nothing);
//  - returns a row ('w', user_id, movie_id, value) per change to publish and ('s', ...) per skipped row.
// Event times arrive as Unix milliseconds: 'epoch' + ms is exact, unlike a float conversion.
namespace cinerec::collect::sql {

// First in each transaction. The statements below are estimated above jit_above_cost, and compiling them
// took about as long as running them (a few milliseconds of work per chunk).
inline constexpr const char* kTransactionSettings = "SET LOCAL jit = off";

// $1 user_id, $2 movie_id, $3 session_key, $4 started (ms), $5 last event (ms), $6 last_position_s,
// $7 watched_s, $8 reach_s (furthest position or watched seconds), $9 had a view_start / view_stop,
// $10 device, $11 completion threshold. 'w' rows carry `completed` (0/1), and only for the sessions the
// serving side must hear about: those with a start / stop in the chunk, and those that became completed.
// "Became completed" reads views as of the statement's snapshot, i.e. before the upsert (a statement never
// sees its own CTEs' writes): a concurrent writer can at worst make a completion be published twice, never
// missed (a completed row never becomes uncompleted). A scalar subquery, not NOT EXISTS: the planner may
// turn the latter into a hashed subplan over a sequential scan of views.
inline constexpr const char* kUpsertViews = R"(
WITH src AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[],
                       $7::integer[], $8::integer[], $9::boolean[], $10::text[])
    WITH ORDINALITY AS s (user_id, movie_id, session_key, started_ms, last_ms, last_position_s, watched_s,
                          reach_s, start_stop, device, ord)
), known AS (
  SELECT s.*, coalesce(s.reach_s >= $11::float8 * m.duration_s, false) AS completed
  FROM src s JOIN movies m ON m.id = s.movie_id
  WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)
), upserted AS (
  INSERT INTO views AS v (user_id, movie_id, session_key, started_at, last_event_at, last_position_s,
                          watched_s, completed, device)
  SELECT user_id, movie_id, session_key, 'epoch'::timestamptz + started_ms * interval '1 millisecond',
         'epoch'::timestamptz + last_ms * interval '1 millisecond', last_position_s, watched_s, completed, device
  FROM known ORDER BY ord
  ON CONFLICT (user_id, session_key) DO UPDATE SET
    started_at      = LEAST(v.started_at, EXCLUDED.started_at),
    last_position_s = CASE WHEN (EXCLUDED.last_event_at, EXCLUDED.last_position_s)
                                > (v.last_event_at, v.last_position_s)
                           THEN EXCLUDED.last_position_s ELSE v.last_position_s END,
    last_event_at   = GREATEST(v.last_event_at, EXCLUDED.last_event_at),
    watched_s       = GREATEST(v.watched_s, EXCLUDED.watched_s),
    completed       = v.completed OR EXCLUDED.completed,
    device          = CASE WHEN EXCLUDED.device <> ''
                                AND (v.device = '' OR EXCLUDED.last_event_at >= v.last_event_at)
                           THEN EXCLUDED.device ELSE v.device END,
    updated_at      = now()
  WHERE EXCLUDED.started_at < v.started_at
     OR (EXCLUDED.last_event_at, EXCLUDED.last_position_s) > (v.last_event_at, v.last_position_s)
     OR EXCLUDED.watched_s > v.watched_s
     OR (EXCLUDED.completed AND NOT v.completed)
     OR (EXCLUDED.device <> '' AND EXCLUDED.device <> v.device
         AND (v.device = '' OR EXCLUDED.last_event_at >= v.last_event_at))
  RETURNING v.user_id, v.session_key, v.movie_id, v.completed
)
SELECT 'w', u.user_id, u.movie_id, u.completed::integer
FROM upserted u JOIN known k ON k.user_id = u.user_id AND k.session_key = u.session_key
WHERE k.start_stop
   OR (k.completed AND (SELECT o.completed FROM views o
                        WHERE o.user_id = k.user_id AND o.session_key = k.session_key) IS NOT TRUE)
UNION ALL
SELECT 's', s.user_id, s.movie_id, 0 FROM src s WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.ord = s.ord)
)";

// $1 user_id, $2 movie_id, $3 value, $4 event time (ms), $5 event_id. Last write wins by (event_time,
// event_id); the value returned for 'w' rows is the value now stored.
inline constexpr const char* kUpsertReactions = R"(
WITH src AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::bigint[], $5::uuid[])
    WITH ORDINALITY AS s (user_id, movie_id, value, time_ms, event_id, ord)
), known AS (
  SELECT s.* FROM src s
  WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)
    AND EXISTS (SELECT 1 FROM movies m WHERE m.id = s.movie_id)
), upserted AS (
  INSERT INTO reactions AS r (user_id, movie_id, value, event_time, event_id)
  SELECT user_id, movie_id, value, 'epoch'::timestamptz + time_ms * interval '1 millisecond', event_id
  FROM known ORDER BY ord
  ON CONFLICT (user_id, movie_id) DO UPDATE SET
    value = EXCLUDED.value, event_time = EXCLUDED.event_time, event_id = EXCLUDED.event_id, updated_at = now()
  WHERE (r.event_time, r.event_id) < (EXCLUDED.event_time, EXCLUDED.event_id)
  RETURNING r.user_id, r.movie_id, r.value
)
SELECT 'w', user_id, movie_id, value::integer FROM upserted
UNION ALL
SELECT 's', s.user_id, s.movie_id, 0 FROM src s WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.ord = s.ord)
)";

}  // namespace cinerec::collect::sql
