#pragma once
// MovieRepository in memory, for unit tests: the same contract as PgMovieRepository (see
// movie_repository_contract.h). Full-text search approximates PostgreSQL's 'simple' config: every word of
// `q` (ASCII lower-cased, split on anything but letters, digits and non-ASCII bytes) must be a word of the
// title, original title or description. Web-search operators (quotes, OR, -) are not interpreted.
#include <map>
#include <mutex>

#include "catalog/movie_repository.h"

namespace cinerec::catalog {

// The genre vocabulary seeded by migrations/postgres/0002_catalog.sql.
std::vector<Genre> SeededGenres();

class InMemoryMovieRepository final : public MovieRepository {
 public:
  explicit InMemoryMovieRepository(std::vector<Genre> genres = SeededGenres());

  Movie Create(const Movie& draft) override;
  std::optional<Movie> Get(std::int64_t id) override;
  std::optional<Movie> Update(std::int64_t id, const MoviePatch& patch) override;
  bool SoftDelete(std::int64_t id) override;
  MoviePage List(const MovieFilter& filter) override;
  std::vector<Genre> ListGenres() override;

 private:
  struct Row {
    Movie movie;
    bool deleted = false;
  };
  void CheckGenresExist(const std::vector<std::string>& names) const;  // REQUIRES: mutex_ held

  std::mutex mutex_;
  std::vector<Genre> genres_;
  std::map<std::int64_t, Row> rows_;  // by id: iteration order is the listing order
  std::int64_t next_id_ = 1;
};

}  // namespace cinerec::catalog
