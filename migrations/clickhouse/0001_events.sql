-- 0001_events: the event tables (ui_events, watch_events, recommendation_impressions, account_events).
--
-- STATEMENT RULE (the migrator splits this file into statements, because ClickHouse 18.16 takes
-- one statement per HTTP request): every statement ends with a semicolon as the LAST character
-- of a line, and no other line may end with a semicolon -- not inside a statement and not in a
-- comment. Chunks that hold only comments and blank lines are skipped.
--
-- Must run on ClickHouse 18.16 (Debian 12) AND on current ClickHouse (production). So: no TTL,
-- codecs, skipping indexes, DateTime64, Map, LowCardinality, window functions, CTEs, JSONExtract.
-- Tables are not qualified with a database: the migrator sends the database as a setting.
--
-- Common to the event tables (see docs/data-model.md):
--   * ReplacingMergeTree(received_at): delivery is at least once, so the same event may be
--     inserted twice. The ORDER BY is the de-duplication key: it ends with event_id and
--     everything before event_id is a pure function of the event (event_type, event_time,
--     user_id, movie_id), so a replayed copy has the same sort key and is collapsed by merges.
--     received_at (server time) differs between copies and is only the version column.
--     Merges are eventual: every report counts uniqExact(event_id) (or reads FINAL).
--   * PARTITION BY toYYYYMM(event_time): the retention job drops whole months with
--     ALTER TABLE t DROP PARTITION 202601 (18.16 has no TTL). A copy of an event always lands
--     in the same partition, so de-duplication never has to cross partitions.
--   * Times are DateTime('UTC'): toDate / toYYYYMM of the column are in UTC whatever the
--     server time zone is, so the sort key of an event never depends on the server.
--   * Report attributes are copied onto each row at event time (movie_genres, user_tier,
--     user_country), so reports need no join back to PostgreSQL.
--   * Zero / empty string means "none" (no Nullable: cheaper, and the same on both versions).

-- UI events: clicks, trailer plays, searches, page views, and reactions (like / dislike /
-- reaction_clear, which are neither watch nor page events but must be counted too).
-- ORDER BY (event_type, day, user_id, event_id): every UI report selects one or two event
-- types over a date range (top queries, zero-result searches, clicks per section, trailer
-- plays, likes vs dislikes), so type then day makes each report read only its own rows
-- within the month partitions. user_id next serves per-user funnels (search -> click -> watch)
-- and the support history of one user.
CREATE TABLE IF NOT EXISTS ui_events
(
    event_id     UUID,
    event_type   Enum8('click' = 1, 'trailer_play' = 2, 'search' = 3, 'page_view' = 4, 'like' = 5, 'dislike' = 6, 'reaction_clear' = 7),
    event_time   DateTime('UTC'),
    received_at  DateTime('UTC'),
    user_id      UInt64,
    session_id   String,
    device       String,
    movie_id     UInt64,
    target       String,
    request_id   String,
    rank         UInt16,
    query        String,
    results      UInt32,
    movie_genres Array(String),
    user_tier    String,
    user_country String,
    extra        String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_type, toDate(event_time), user_id, event_id);

-- Watch events: the detailed watch log (also written by cinerec import for rated movies).
-- ORDER BY (event_type, day, movie_id, user_id, event_id): view_progress heartbeats are the
-- bulk of the rows, and most reports need only starts or stops (views per day, top movies,
-- watch time, completion) or only seeks; type first lets them skip the heartbeats. Then day,
-- then movie for the per-movie drill-downs (drop-off histogram, completion of movie M).
CREATE TABLE IF NOT EXISTS watch_events
(
    event_id     UUID,
    event_type   Enum8('view_start' = 1, 'view_progress' = 2, 'view_pause' = 3, 'view_seek' = 4, 'view_stop' = 5),
    event_time   DateTime('UTC'),
    received_at  DateTime('UTC'),
    user_id      UInt64,
    movie_id     UInt64,
    session_id   String,
    device       String,
    position_s   UInt32,
    seek_from_s  UInt32,
    seek_to_s    UInt32,
    watched_s    UInt32,
    duration_s   UInt32,
    movie_genres Array(String),
    user_tier    String,
    user_country String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_type, toDate(event_time), movie_id, user_id, event_id);

-- Recommendation impressions: one row per item shown (event_id per item, request_id shared
-- by the items of one response, position 1-based like ui_events.rank).
-- ORDER BY (day, user_id, event_id): conversion reports read a date range of impressions and
-- join them with the same users' later clicks and watches; the support view reads one user.
-- The grouping columns (model_version, variant, source, position) have few values and are
-- aggregated over whole ranges, so they are not worth a place in the key.
CREATE TABLE IF NOT EXISTS recommendation_impressions
(
    event_id      UUID,
    request_id    String,
    event_time    DateTime('UTC'),
    received_at   DateTime('UTC'),
    user_id       UInt64,
    movie_id      UInt64,
    position      UInt16,
    score         Float32,
    model_version String,
    variant       String,
    source        Enum8('personal' = 1, 'fold_in' = 2, 'content' = 3, 'cold_start' = 4, 'trending' = 5, 'similar' = 6, 'popular' = 7),
    movie_genres  Array(String),
    user_tier     String,
    user_country  String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (toDate(event_time), user_id, event_id);

-- Account events: sign-ups and subscription changes (issue 7: "sign-ups and subscription
-- changes are events too"). Gives sign-ups per period, plan up/downgrades and churn over time,
-- which the current-state tables cannot (PostgreSQL keeps only the current subscription).
-- Cohort retention itself uses users_dim.signup_date, which outlives the retention of raw
-- events. For a signup, plan/status are the initial ones and previous_* are empty.
CREATE TABLE IF NOT EXISTS account_events
(
    event_id        UUID,
    event_type      Enum8('signup' = 1, 'subscription_change' = 2),
    event_time      DateTime('UTC'),
    received_at     DateTime('UTC'),
    user_id         UInt64,
    plan            String,
    status          String,
    previous_plan   String,
    previous_status String,
    user_country    String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_type, toDate(event_time), user_id, event_id);
