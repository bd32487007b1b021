#include <gtest/gtest.h>

#include "catalog/movie_repository_contract.h"
#include "catalog/pg_movie_queries.h"
#include "catalog/pg_movie_repository.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec::catalog {
namespace {

// A fresh migrated database per test: the contract assumes an empty catalog.
struct PostgresBackend {
  Config config = cinerec::testing::IsolatedConfig();
  PgPool pool{config.postgres};
  PgMovieRepository repository{pool};
  MovieRepository& repo() { return repository; }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, MovieRepositoryContract, ::testing::Types<PostgresBackend>);

namespace {

// The index the data model promises: `q` can reach movies_search_idx (seq scans are disabled so that the
// tiny test table doesn't make the planner prefer them).
TEST(PgMovieRepositoryTest, FullTextSearchCanUseTheGinIndex) {
  PostgresBackend backend;
  backend.repo().Create([] {
    Movie movie;
    movie.title = "Indexed";
    return movie;
  }());
  auto lease = backend.pool.Acquire();
  lease->Exec("SET enable_seqscan = off");
  // The listing statement itself: its "$n IS NULL OR" branches must fold away for the index to apply.
  auto plan = lease->Exec("EXPLAIN " + sql::kListMovies,
                          PgParams(std::nullopt, std::nullopt, std::nullopt, std::nullopt, "indexed", 21));
  std::string text;
  for (int row = 0; row < plan.rows(); ++row)
    text += std::string(plan.Get(row, 0)) + "\n";
  EXPECT_NE(text.find("movies_search_idx"), std::string::npos) << text;
}

}  // namespace
}  // namespace cinerec::catalog
