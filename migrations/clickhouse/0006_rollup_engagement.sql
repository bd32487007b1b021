-- 0006_rollup_engagement: the sealed daily rollups of the engagement report (docs/analytics.md, "Sealed daily
-- rollups"; code: src/analytics/rollup_engagement.cpp). Sealed like 0004's rollups (rollup_seals, rollups
-- 'activity' and 'reactions'): a day is read from here only while its raw fingerprint is unchanged.
-- See 0001_events.sql for the statement rule (one statement per chunk, ';' last on its line).

-- Who was active on a day: one row per (day, user) with any UI event (every type) or watch event, `hours` =
-- the UTC hours of the day with activity as a bit mask (bit h = hour h). Distinct users are not additive over
-- days, so a report recomputes them: daily (hourly) active users = the rows (with bit h) of the day, weekly
-- and range totals = uniqExact(user_id) over the rows of their days (one row per user and day instead of
-- every event), cohort retention = the cohort's rows on signup_date + N. No event attributes: a request with
-- a genre, movie, device, country or tier filter reads active users from the raw rows.
CREATE TABLE IF NOT EXISTS rollup_activity_daily
(
    day     Date,
    seal_id UInt64,
    user_id UInt64,
    hours   UInt32
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, seal_id, user_id);

-- Likes and dislikes (distinct event ids, additive over days) per day, movie, device and the event's user
-- country and tier: the engagement report's reactions with the movie, device, country and tier filters.
CREATE TABLE IF NOT EXISTS rollup_reactions_daily
(
    day          Date,
    seal_id      UInt64,
    movie_id     UInt64,
    device       String,
    user_country String,
    user_tier    String,
    likes        UInt64,
    dislikes     UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, seal_id, movie_id);

-- The search report per day: one row per (query lower-cased, user, zero results or not, device, user country
-- and tier, click_delay, watch_delay), `searches` = the distinct search events with those values.
-- click_delay / watch_delay = seconds from the search to the same user's first click / view_start at or after
-- it within the conversion window (4294967295 = none): the funnel for any search window up to the
-- conversion window is sumIf(searches, click_delay <= window), so the rollup does not depend on the search
-- window. Top queries sum `searches` and count uniqExact(user_id) over the rows (users are not additive).
CREATE TABLE IF NOT EXISTS rollup_search_daily
(
    day          Date,
    seal_id      UInt64,
    query        String,
    user_id      UInt64,
    zero_results UInt8,
    device       String,
    user_country String,
    user_tier    String,
    click_delay  UInt32,
    watch_delay  UInt32,
    searches     UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, seal_id, query);
