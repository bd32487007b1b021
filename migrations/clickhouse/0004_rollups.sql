-- 0004_rollups: sealed daily rollups (docs/analytics.md, "Speed"): small per-day tables of exact additive
-- measures that a scheduled job (analytics/rollups.h, `cinerec rollup`) computes from the de-duplicated raw
-- rows of each UTC day once the day, the conversion window and a lateness margin are over. A report reads a
-- day from its rollup only while the day's raw fingerprint still equals the one recorded when it was sealed;
-- every other day (today, unsealed, late arrivals or replays after sealing) it reads from the raw tables, so
-- every number stays exactly what the raw tables give.
-- See 0001_events.sql for the statement rule (one statement per chunk, ';' last on its line).

-- One row per seal of a (rollup, params, day). A re-seal inserts a row with a larger seal_id (Unix
-- microseconds x 256 + random low bits); readers take the row with the largest seal_id (argMax) until merges
-- keep only that one. params holds what the measures depend on besides the raw rows (the conversion window,
-- the completion threshold): a seal made with other settings is never used. raw_rows / raw_max_received are
-- the fingerprint: count() and max(received_at) of the raw rows the day's measures read (for conversions:
-- the day's impressions and the outcomes of the day and the window after it), taken before the measures.
CREATE TABLE IF NOT EXISTS rollup_seals
(
    rollup           String,
    params           String,
    day              Date,
    seal_id          UInt64,
    raw_rows         UInt64,
    raw_max_received DateTime('UTC'),
    sealed_at        DateTime('UTC')
)
ENGINE = ReplacingMergeTree(seal_id)
ORDER BY (rollup, params, day);

-- Recommendation conversion per day and dimension: impressions (distinct event ids) and those that converted
-- (click / watch started / watch completed within the window, the report's definitions) per model version,
-- variant, source, position, and the impression's user country and tier. Rows belong to one seal (seal_id);
-- the job deletes a day's rows of older seals after re-sealing it.
CREATE TABLE IF NOT EXISTS rollup_conversions_daily
(
    day           Date,
    seal_id       UInt64,
    model_version String,
    variant       String,
    source        String,
    position      UInt16,
    user_country  String,
    user_tier     String,
    impressions   UInt64,
    clicked       UInt64,
    started       UInt64,
    completed     UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, seal_id, model_version, variant, source, position);

-- UI events per day and dimension: clicks, trailer plays and page views (distinct event ids) per section,
-- device, user country and tier, and the trailer plays followed by a view_start of the same user and movie
-- within the conversion window (the ui report's trailer_to_watch).
CREATE TABLE IF NOT EXISTS rollup_ui_daily
(
    day              Date,
    seal_id          UInt64,
    section          String,
    device           String,
    user_country     String,
    user_tier        String,
    clicks           UInt64,
    trailer_plays    UInt64,
    page_views       UInt64,
    trailers_watched UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, seal_id, section);
