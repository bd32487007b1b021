-- 0005_rollup_views: the sealed daily rollup of the views and watch-quality reports (docs/analytics.md,
-- "Sealed daily rollups"; code: src/analytics/rollup_views.cpp). Sealed like 0004's rollups (rollup_seals,
-- rollup 'views'): a day is read from here only while its raw fingerprint (the day's view_start, view_stop
-- and view_seek rows) is unchanged. Distinct users and view sessions are not additive over days, so the rows
-- keep what is needed to recompute them exactly, only much narrower and already de-duplicated:
--  - 'start' rows: view_start events per (hour, user, movie, genres, device, country, tier), `events` =
--    distinct event ids. Views started = sum(events), unique viewers = uniqExact(user_id) over the rows.
--  - 'stop' rows: one per view session (user, session_id, movie) and attribute set (genres, device, country,
--    tier) of the day: event_time = its first stop of the day, the largest watched_s / position_s /
--    duration_s, completed = any stop met the completion rule. `spans` = 1 when the session also has stops
--    on another day, or stops with other attributes on this day: a report then merges the session's rows
--    (and its raw stops) by the exact key; `session_key` = cityHash64(user_id, session_id, movie_id) finds
--    them cheaply (a hash collision only merges more rows, never fewer).
--  - 'seek' rows: view_seek events per (movie, genres, device, country, tier, seek_delta = to - from),
--    `events` = distinct event ids (the medians are computed from this histogram).
-- See 0001_events.sql for the statement rule (one statement per chunk, ';' last on its line).

CREATE TABLE IF NOT EXISTS rollup_views_daily
(
    day          Date,
    seal_id      UInt64,
    row_kind     Enum8('start' = 1, 'stop' = 2, 'seek' = 3),
    event_time   DateTime('UTC'),
    user_id      UInt64,
    movie_id     UInt64,
    movie_genres Array(String),
    device       String,
    user_country String,
    user_tier    String,
    session_id   String,
    session_key  UInt64,
    spans        UInt8,
    events       UInt64,
    watched_s    UInt32,
    position_s   UInt32,
    duration_s   UInt32,
    completed    UInt8,
    seek_delta   Int64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, seal_id, row_kind, movie_id);
