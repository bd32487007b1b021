#pragma once
// MovieRepository on PostgreSQL (tables of migrations/postgres/0002_catalog.sql). A movie and its
// movie_genres rows are written in one transaction. Queries: pg_movie_queries.h.
#include "catalog/movie_repository.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::catalog {

class PgMovieRepository final : public MovieRepository {
 public:
  // REQUIRES: pool outlives the repository.
  explicit PgMovieRepository(PgPool& pool) : pool_(pool) {}

  Movie Create(const Movie& draft) override;
  std::optional<Movie> Get(std::int64_t id) override;
  std::optional<Movie> Update(std::int64_t id, const MoviePatch& patch) override;
  bool SoftDelete(std::int64_t id) override;
  MoviePage List(const MovieFilter& filter) override;
  std::vector<Genre> ListGenres() override;

 private:
  PgPool& pool_;
};

}  // namespace cinerec::catalog
