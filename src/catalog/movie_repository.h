#pragma once
// Where movies live. One interface, two implementations: PgMovieRepository (PostgreSQL, the system of
// record) and InMemoryMovieRepository (unit tests); movie_repository_contract.h holds the test suite both
// pass.
//
// Contract shared by every implementation:
//  - Movies are validated by the caller (catalog::Validate); the repository checks what only it knows:
//    that every genre name exists (else Unprocessable("genres", ...) naming the first unknown one).
//  - Soft-deleted movies are invisible: Get, Update, SoftDelete and List behave as if they did not exist.
//  - List is keyset-paginated in ascending id order, with or without `q` (search results are filtered, not
//    ranked: a stable order makes the cursor a single id, and pages never repeat or skip a movie that exists
//    throughout the walk).
//  - Thread-safe. Store failures throw StoreError.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/movie.h"

namespace cinerec::catalog {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

struct MovieFilter {
  std::optional<std::string> genre;      // a genre name; unknown -> Unprocessable("genre", ...)
  std::optional<int> year_from;          // inclusive; movies without a year never match a year bound
  std::optional<int> year_to;            // inclusive
  std::optional<std::string> q;          // web-search syntax over title, original title and description
  int limit = kDefaultPageSize;          // REQUIRES: 1..kMaxPageSize
  std::optional<std::int64_t> after_id;  // the last id of the previous page (decoded from the cursor)
};

struct MoviePage {
  std::vector<Movie> items;
  std::optional<std::int64_t> next_after_id;  // set when another page may follow
};

class MovieRepository {
 public:
  virtual ~MovieRepository() = default;
  // Stores `draft` (its id and timestamps are ignored) and returns the stored movie.
  virtual Movie Create(const Movie& draft) = 0;
  virtual std::optional<Movie> Get(std::int64_t id) = 0;
  // Applies the present fields in one transaction; nullopt when there is no such (live) movie.
  virtual std::optional<Movie> Update(std::int64_t id, const MoviePatch& patch) = 0;
  // False when there is no such (live) movie.
  virtual bool SoftDelete(std::int64_t id) = 0;
  virtual MoviePage List(const MovieFilter& filter) = 0;
  // The genre vocabulary, by id.
  virtual std::vector<Genre> ListGenres() = 0;
};

}  // namespace cinerec::catalog
