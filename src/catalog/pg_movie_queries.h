#pragma once
// Every SQL statement of PgMovieRepository, in one place. Parameters are always bound ($n), never spliced.
// Timestamps are rendered in SQL as RFC 3339 UTC so that the repository needs no time zone handling.
#include <string>

namespace cinerec::catalog::sql {

// The columns PgMovieRepository::ReadMovie expects, in this order. Genres come back as one JSON array,
// sorted byte-wise (COLLATE "C", like std::sort) so that every implementation orders them alike.
inline const std::string kMovieColumns =
    "m.id, m.title, m.original_title, m.year, m.description, m.duration_s, m.age_rating,"
    " array_to_json(m.available_tiers)::text, m.extra::text,"
    " to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " COALESCE((SELECT json_agg(g.name ORDER BY g.name COLLATE \"C\") FROM movie_genres mg"
    "           JOIN genres g ON g.id = mg.genre_id WHERE mg.movie_id = m.id), '[]')::text";

// $1 text[] of names -> the first that is not a genre, if any.
inline const std::string kFindUnknownGenre =
    "SELECT u.name FROM unnest($1::text[]) AS u(name)"
    " WHERE NOT EXISTS (SELECT 1 FROM genres g WHERE g.name = u.name) LIMIT 1";

inline const std::string kFindGenreId = "SELECT id FROM genres WHERE name = $1::text";

inline const std::string kListGenres = "SELECT id, name FROM genres ORDER BY id";

inline const std::string kInsertMovie =
    "INSERT INTO movies (title, original_title, year, description, duration_s, age_rating, available_tiers,"
    " extra) VALUES ($1::text, $2::text, $3::smallint, $4::text, $5::integer, $6::text, $7::text[], "
    "$8::jsonb)"
    " RETURNING id";

inline const std::string kDeleteMovieGenres = "DELETE FROM movie_genres WHERE movie_id = $1::bigint";

// $2 text[] of names, all known (checked first with kFindUnknownGenre); duplicates collapse.
inline const std::string kInsertMovieGenres =
    "INSERT INTO movie_genres (movie_id, genre_id) SELECT $1::bigint, g.id FROM genres g"
    " WHERE g.name = ANY($2::text[])";

inline const std::string kSelectMovie =
    "SELECT " + kMovieColumns + " FROM movies m WHERE m.id = $1::bigint AND m.deleted_at IS NULL";

// PATCH: each field is a (change?, value) pair, so one fixed statement serves every subset of fields. It
// always updates the row, so the updated_at trigger also fires when only the genres change.
inline const std::string kUpdateMovie =
    "UPDATE movies SET"
    " title = CASE WHEN $2::boolean THEN $3::text ELSE title END,"
    " original_title = CASE WHEN $4::boolean THEN $5::text ELSE original_title END,"
    " year = CASE WHEN $6::boolean THEN $7::smallint ELSE year END,"
    " description = CASE WHEN $8::boolean THEN $9::text ELSE description END,"
    " duration_s = CASE WHEN $10::boolean THEN $11::integer ELSE duration_s END,"
    " age_rating = CASE WHEN $12::boolean THEN $13::text ELSE age_rating END,"
    " available_tiers = CASE WHEN $14::boolean THEN $15::text[] ELSE available_tiers END,"
    " extra = CASE WHEN $16::boolean THEN $17::jsonb ELSE extra END"
    " WHERE id = $1::bigint AND deleted_at IS NULL";

inline const std::string kSoftDeleteMovie =
    "UPDATE movies SET deleted_at = now() WHERE id = $1::bigint AND deleted_at IS NULL";

// Keyset page in id order. A NULL parameter disables its filter: libpq's unnamed statements are planned
// with the actual values, so the dead branches fold away and `search @@ ...` uses the GIN index
// (movies_search_idx), the genre filter movie_genres_genre_id_idx, and the order the primary key.
// $1 after id, $2 year_from, $3 year_to, $4 genre id, $5 q, $6 limit.
inline const std::string kListMovies =
    "SELECT " + kMovieColumns +
    " FROM movies m WHERE m.deleted_at IS NULL"
    " AND ($1::bigint IS NULL OR m.id > $1::bigint)"
    " AND ($2::integer IS NULL OR m.year >= $2::integer)"
    " AND ($3::integer IS NULL OR m.year <= $3::integer)"
    " AND ($4::smallint IS NULL OR EXISTS (SELECT 1 FROM movie_genres mg"
    "      WHERE mg.movie_id = m.id AND mg.genre_id = $4::smallint))"
    " AND ($5::text IS NULL OR m.search @@ websearch_to_tsquery('simple', $5::text))"
    " ORDER BY m.id LIMIT $6::integer";

}  // namespace cinerec::catalog::sql
