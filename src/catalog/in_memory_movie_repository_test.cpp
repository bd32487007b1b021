#include "catalog/in_memory_movie_repository.h"

#include <gtest/gtest.h>

#include "catalog/movie_repository_contract.h"

namespace cinerec::catalog {
namespace {

struct InMemoryBackend {
  InMemoryMovieRepository repository;
  MovieRepository& repo() { return repository; }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, MovieRepositoryContract, ::testing::Types<InMemoryBackend>);

}  // namespace cinerec::catalog
