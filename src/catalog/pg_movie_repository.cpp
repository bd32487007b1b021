#include "catalog/pg_movie_repository.h"

#include <boost/json.hpp>

#include "catalog/pg_movie_queries.h"
#include "common/errors.h"
#include "storage/postgres/pg_array.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::catalog {
namespace {

namespace json = boost::json;

std::vector<std::string> JsonStrings(std::string_view text) {
  std::vector<std::string> out;
  const auto parsed = json::parse(text);  // named: a range-for over parse(...).as_array() would dangle
  for (const auto& element : parsed.as_array())
    out.emplace_back(element.as_string());
  return out;
}

std::optional<int> OptionalInt(const PgResult& result, int row, int column) {
  if (result.IsNull(row, column)) return std::nullopt;
  return static_cast<int>(result.GetInt(row, column));
}

// REQUIRES: the columns of sql::kMovieColumns.
Movie ReadMovie(const PgResult& result, int row) {
  Movie movie;
  movie.id = result.GetInt(row, 0);
  movie.title = std::string(result.Get(row, 1));
  movie.original_title = result.GetOptional(row, 2);
  movie.year = OptionalInt(result, row, 3);
  movie.description = std::string(result.Get(row, 4));
  movie.duration_s = OptionalInt(result, row, 5);
  movie.age_rating = std::string(result.Get(row, 6));
  movie.available_tiers = JsonStrings(result.Get(row, 7));
  movie.extra = json::parse(result.Get(row, 8)).as_object();
  movie.created_at = std::string(result.Get(row, 9));
  movie.updated_at = std::string(result.Get(row, 10));
  movie.genres = JsonStrings(result.Get(row, 11));
  return movie;
}

// Throws Unprocessable naming the first unknown genre.
void CheckGenresExist(PgConnection& conn, const std::vector<std::string>& genres, const std::string& field) {
  if (genres.empty()) return;
  auto unknown = conn.Exec(sql::kFindUnknownGenre, PgParams(PgArray(genres)));
  if (unknown.rows() > 0)
    throw Unprocessable(field, "unknown genre '" + std::string(unknown.Get(0, 0)) + "'");
}

void ReplaceGenres(PgConnection& conn, std::int64_t id, const std::vector<std::string>& genres) {
  CheckGenresExist(conn, genres, "genres");
  conn.Exec(sql::kDeleteMovieGenres, PgParams(id));
  if (!genres.empty()) conn.Exec(sql::kInsertMovieGenres, PgParams(id, PgArray(genres)));
}

std::optional<Movie> SelectMovie(PgConnection& conn, std::int64_t id) {
  auto result = conn.Exec(sql::kSelectMovie, PgParams(id));
  if (result.rows() == 0) return std::nullopt;
  return ReadMovie(result, 0);
}

// Adds the (change?, value) pair of one PATCH field.
template <typename T, typename Fn>
void AddChange(PgParams& params, const std::optional<T>& field, Fn&& to_param) {
  params.Add(field.has_value());
  if (field) {
    to_param(*field);
  } else {
    params.Add(std::nullopt);
  }
}

}  // namespace

Movie PgMovieRepository::Create(const Movie& draft) {
  return pool_.Transaction([&](PgConnection& conn) {
    CheckGenresExist(conn, draft.genres, "genres");
    auto inserted =
        conn.Exec(sql::kInsertMovie,
                  PgParams(draft.title, draft.original_title, draft.year, draft.description, draft.duration_s,
                           draft.age_rating, PgArray(draft.available_tiers), json::serialize(draft.extra)));
    const auto id = inserted.GetInt(0, 0);
    if (!draft.genres.empty()) conn.Exec(sql::kInsertMovieGenres, PgParams(id, PgArray(draft.genres)));
    return *SelectMovie(conn, id);
  });
}

std::optional<Movie> PgMovieRepository::Get(std::int64_t id) {
  auto lease = pool_.Acquire();
  return SelectMovie(*lease, id);
}

std::optional<Movie> PgMovieRepository::Update(std::int64_t id, const MoviePatch& patch) {
  PgParams params(id);
  AddChange(params, patch.title, [&](const std::string& v) { params.Add(v); });
  AddChange(params, patch.original_title, [&](const std::optional<std::string>& v) { params.Add(v); });
  AddChange(params, patch.year, [&](const std::optional<int>& v) { params.Add(v); });
  AddChange(params, patch.description, [&](const std::string& v) { params.Add(v); });
  AddChange(params, patch.duration_s, [&](const std::optional<int>& v) { params.Add(v); });
  AddChange(params, patch.age_rating, [&](const std::string& v) { params.Add(v); });
  AddChange(params, patch.available_tiers,
            [&](const std::vector<std::string>& v) { params.Add(PgArray(v)); });
  AddChange(params, patch.extra, [&](const json::object& v) { params.Add(json::serialize(v)); });
  return pool_.Transaction([&](PgConnection& conn) -> std::optional<Movie> {
    if (conn.Exec(sql::kUpdateMovie, params).affected_rows() == 0) return std::nullopt;
    if (patch.genres) ReplaceGenres(conn, id, *patch.genres);
    return SelectMovie(conn, id);
  });
}

bool PgMovieRepository::SoftDelete(std::int64_t id) {
  return pool_.Exec(sql::kSoftDeleteMovie, PgParams(id)).affected_rows() > 0;
}

MoviePage PgMovieRepository::List(const MovieFilter& filter) {
  auto lease = pool_.Acquire();
  std::optional<std::int64_t> genre_id;
  if (filter.genre) {
    auto found = lease->Exec(sql::kFindGenreId, PgParams(*filter.genre));
    if (found.rows() == 0) throw Unprocessable("genre", "unknown genre '" + *filter.genre + "'");
    genre_id = found.GetInt(0, 0);
  }
  // One row more than asked for says whether another page follows.
  auto result = lease->Exec(sql::kListMovies, PgParams(filter.after_id, filter.year_from, filter.year_to,
                                                       genre_id, filter.q, filter.limit + 1));
  MoviePage page;
  for (int row = 0; row < result.rows() && row < filter.limit; ++row)
    page.items.push_back(ReadMovie(result, row));
  if (result.rows() > filter.limit) page.next_after_id = page.items.back().id;
  return page;
}

std::vector<Genre> PgMovieRepository::ListGenres() {
  auto result = pool_.Exec(sql::kListGenres);
  std::vector<Genre> genres;
  for (int row = 0; row < result.rows(); ++row)
    genres.push_back({static_cast<int>(result.GetInt(row, 0)), std::string(result.Get(row, 1))});
  return genres;
}

}  // namespace cinerec::catalog
