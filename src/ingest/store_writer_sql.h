#pragma once
// The SQL of StoreWriter, in one place. Staging tables are temporary (per session) and emptied at each
// commit, so every chunk is COPY into staging + INSERT ... SELECT in one transaction. Times go into staging
// as unix seconds (to_timestamp is cheaper for the server than parsing text).
namespace cinerec::ingest::sql {

inline constexpr const char* kSessionSettings =
    "SET statement_timeout = 0; SET synchronous_commit = off";  // a crash loses only what a re-run rewrites
// Back to the values given at connection start (the pool's statement timeout).
inline constexpr const char* kResetSessionSettings = "RESET statement_timeout; RESET synchronous_commit";
inline constexpr const char* kResetStatementTimeout = "RESET statement_timeout";

inline constexpr const char* kCreateStaging =
    "CREATE TEMP TABLE IF NOT EXISTS ingest_users (src_id bigint, email text, display_name text) "
    "ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS ingest_movies (src_id bigint, title text, year smallint, description "
    "text,"
    " duration_s integer, extra jsonb) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS ingest_movie_genres (movie_id bigint, genre_id smallint) "
    "ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS ingest_views (user_id bigint, movie_id bigint, session_key text,"
    " started_at bigint, last_event_at bigint, last_position_s integer, watched_s integer,"
    " completed boolean, device text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS ingest_reactions (user_id bigint, movie_id bigint, value smallint,"
    " event_time bigint, event_id uuid) ON COMMIT DELETE ROWS";

inline constexpr const char* kDropStaging =
    "DROP TABLE IF EXISTS ingest_users, ingest_movies, ingest_movie_genres, ingest_views, ingest_reactions";

// $1 = email LIKE pattern of this source's users, $2 = the source. True when the database holds anything
// else.
inline constexpr const char* kHoldsOtherData =
    "SELECT EXISTS (SELECT 1 FROM users WHERE email NOT LIKE $1) "
    "OR EXISTS (SELECT 1 FROM movies WHERE extra->>'source' IS DISTINCT FROM $2)";

inline constexpr const char* kHasMovies = "SELECT EXISTS (SELECT 1 FROM movies)";

// Direct COPY into views and reactions is only for tables that were empty when the load began.
inline constexpr const char* kTargetsEmpty =
    "SELECT NOT EXISTS (SELECT 1 FROM views) AND NOT EXISTS (SELECT 1 FROM reactions)";
// The planner's row estimate of views (kept by ANALYZE and autovacuum; -1 before the first).
inline constexpr const char* kViewsEstimate =
    "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass('views')";

inline constexpr const char* kGenres = "SELECT id, name FROM genres";

inline constexpr const char* kCopyUsers = "COPY ingest_users (src_id, email, display_name) FROM STDIN";
inline constexpr const char* kInsertUsersKeepIds =
    "INSERT INTO users (id, email, display_name) SELECT src_id, email, display_name FROM ingest_users "
    "ON CONFLICT DO NOTHING";
// $1 = external id prefix ("ml-1m:").
inline constexpr const char* kInsertUsersRemap =
    "INSERT INTO users (email, display_name, external_id) "
    "SELECT email, display_name, $1::text || src_id::text FROM ingest_users ON CONFLICT DO NOTHING";
inline constexpr const char* kMapUsers =
    "SELECT s.src_id, u.id FROM ingest_users s JOIN users u ON u.external_id = $1::text || s.src_id::text";

inline constexpr const char* kCopyMovies =
    "COPY ingest_movies (src_id, title, year, description, duration_s, extra) FROM STDIN";
inline constexpr const char* kInsertMoviesKeepIds =
    "INSERT INTO movies (id, title, year, description, duration_s, extra) "
    "SELECT src_id, title, year, description, duration_s, extra FROM ingest_movies ON CONFLICT DO NOTHING";
inline constexpr const char* kInsertMoviesRemap =
    "INSERT INTO movies (title, year, description, duration_s, extra, external_id) "
    "SELECT title, year, description, duration_s, extra, $1::text || src_id::text FROM ingest_movies "
    "ON CONFLICT DO NOTHING";
inline constexpr const char* kMapMovies =
    "SELECT s.src_id, m.id FROM ingest_movies s JOIN movies m ON m.external_id = $1::text || s.src_id::text";

inline constexpr const char* kCopyMovieGenres = "COPY ingest_movie_genres (movie_id, genre_id) FROM STDIN";
inline constexpr const char* kInsertMovieGenres =
    "INSERT INTO movie_genres (movie_id, genre_id) SELECT DISTINCT movie_id, genre_id FROM "
    "ingest_movie_genres "
    "ON CONFLICT DO NOTHING";

inline constexpr const char* kCopyViews =
    "COPY ingest_views (user_id, movie_id, session_key, started_at, last_event_at, last_position_s, "
    "watched_s,"
    " completed, device) FROM STDIN";
inline constexpr const char* kInsertViews =
    "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, last_position_s, "
    "watched_s,"
    " completed, device) "
    "SELECT DISTINCT ON (user_id, session_key) user_id, movie_id, session_key, to_timestamp(started_at),"
    " to_timestamp(last_event_at), last_position_s, watched_s, completed, device FROM ingest_views"
    " ORDER BY user_id, session_key "
    "ON CONFLICT (user_id, session_key) DO NOTHING";
inline constexpr const char* kCopyViewsDirect =
    "COPY views (user_id, movie_id, session_key, started_at, last_event_at, last_position_s, watched_s,"
    " completed, device) FROM STDIN";

inline constexpr const char* kCopyReactions =
    "COPY ingest_reactions (user_id, movie_id, value, event_time, event_id) FROM STDIN";
// Same rule as the collection service: the later (event_time, event_id) wins; a replay changes nothing.
inline constexpr const char* kInsertReactions =
    "INSERT INTO reactions (user_id, movie_id, value, event_time, event_id) "
    "SELECT DISTINCT ON (user_id, movie_id) user_id, movie_id, value, to_timestamp(event_time), event_id "
    "FROM "
    "ingest_reactions "
    "ORDER BY user_id, movie_id, event_time DESC, event_id DESC "
    "ON CONFLICT (user_id, movie_id) DO UPDATE SET value = EXCLUDED.value, event_time = EXCLUDED.event_time,"
    " event_id = EXCLUDED.event_id, updated_at = now() "
    "WHERE (reactions.event_time, reactions.event_id) < (EXCLUDED.event_time, EXCLUDED.event_id)";

inline constexpr const char* kCopyReactionsDirect =
    "COPY reactions (user_id, movie_id, value, event_time, event_id) FROM STDIN";

// Explicit ids do not advance the identity sequences: move them past the largest id, or the next sign-up
// collides with an imported id.
inline constexpr const char* kSetvalUsers =
    "SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users HAVING max(id) IS NOT NULL";
inline constexpr const char* kSetvalMovies =
    "SELECT setval(pg_get_serial_sequence('movies', 'id'), max(id)) FROM movies HAVING max(id) IS NOT NULL";
// VACUUM flushes the GIN pending list of movies.search; ANALYZE gives the planner the new sizes.
inline constexpr const char* kAnalyze = "VACUUM ANALYZE movies";
inline constexpr const char* kAnalyzeActivity = "ANALYZE users, movie_genres, views, reactions";

}  // namespace cinerec::ingest::sql
