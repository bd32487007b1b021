-- 0002_dimensions: movies_dim and users_dim, kept in sync from PostgreSQL by the analytics
-- service (on change, and by a periodic full refresh).
--
-- STATEMENT RULE (the migrator splits this file into statements, because ClickHouse 18.16 takes
-- one statement per HTTP request): every statement ends with a semicolon as the LAST character
-- of a line, and no other line may end with a semicolon -- not inside a statement and not in a
-- comment. Chunks that hold only comments and blank lines are skipped.
--
-- Must run on ClickHouse 18.16 and on current ClickHouse. No database qualifiers.
--
-- ReplacingMergeTree(updated_at) ORDER BY id: every sync inserts the whole current row with
-- PostgreSQL's updated_at (UTC, whole seconds); merges keep the newest version per id. Until a
-- merge, a reader must collapse versions itself: SELECT ... FROM users_dim FINAL, or
-- argMax(col, updated_at) ... GROUP BY user_id. Not partitioned: small tables, never expired.

-- Movies as reports label and group them. deleted = 1 for a soft-deleted movie (its history
-- still reports under its title).
CREATE TABLE IF NOT EXISTS movies_dim
(
    movie_id   UInt64,
    title      String,
    genres     Array(String),
    year       UInt16,
    duration_s UInt32,
    deleted    UInt8,
    updated_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY movie_id;

-- Users as reports group them: current tier and country, signup date (cohorts), birth year
-- (0 = unknown). deleted = 1 is a tombstone written when the PostgreSQL row is gone (erasure),
-- with the other attributes blanked; the erasure job then removes the user's rows everywhere
-- with ALTER TABLE ... DELETE WHERE user_id = ... mutations, this table included.
CREATE TABLE IF NOT EXISTS users_dim
(
    user_id     UInt64,
    tier        String,
    country     String,
    signup_date Date,
    birth_year  UInt16,
    updated_at  DateTime('UTC'),
    deleted     UInt8
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY user_id;
