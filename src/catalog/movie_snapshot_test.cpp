#include <gtest/gtest.h>

#include "catalog/movie_directory.h"

namespace cinerec::catalog {
namespace {

MovieInfo Movie(std::int64_t id, std::string title) {
  MovieInfo movie;
  movie.id = id;
  movie.title = std::move(title);
  return movie;
}

// Dense ids (the usual sequence) and sparse ones take different lookups: both must answer alike.
TEST(MovieSnapshot, FindsByIdWhetherIdsAreDenseOrSparse) {
  for (const std::int64_t stride : {1LL, 1000000007LL}) {
    std::vector<MovieInfo> movies;
    for (std::int64_t i = 1; i <= 50; ++i)
      movies.push_back(Movie(i * stride, "m" + std::to_string(i)));
    movies.push_back(Movie(7 * stride, "duplicate"));
    const MovieSnapshot snapshot(movies);
    EXPECT_EQ(snapshot.size(), 50u);
    for (std::int64_t i = 1; i <= 50; ++i) {
      const auto* movie = snapshot.Find(i * stride);
      ASSERT_NE(movie, nullptr) << i * stride;
      EXPECT_EQ(movie->title, i == 7 ? "m7" : "m" + std::to_string(i)) << "the first of duplicates wins";
    }
    for (const std::int64_t unknown : {std::int64_t{0}, std::int64_t{-1}, 51 * stride, 51 * stride + 1,
                                       std::numeric_limits<std::int64_t>::max()})
      EXPECT_EQ(snapshot.Find(unknown), nullptr) << unknown;
  }
  const MovieSnapshot empty({});
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.Find(0), nullptr);
  EXPECT_EQ(empty.Find(1), nullptr);
}

TEST(MovieSnapshot, NumbersEachGenreNameOnce) {
  auto drama = Movie(1, "a");
  drama.genres = {"Comedy", "Drama"};
  auto comedy = Movie(2, "b");
  comedy.genres = {"Comedy"};
  comedy.genre_ids = {7};  // whatever a loader left there is replaced
  const MovieSnapshot snapshot({drama, comedy});
  const int comedy_id = snapshot.GenreId("Comedy"), drama_id = snapshot.GenreId("Drama");
  EXPECT_NE(comedy_id, drama_id);
  EXPECT_EQ(snapshot.GenreId("War"), -1);
  EXPECT_EQ(snapshot.Find(1)->genre_ids, (std::vector<std::uint16_t>{static_cast<std::uint16_t>(comedy_id),
                                                                     static_cast<std::uint16_t>(drama_id)}));
  EXPECT_EQ(snapshot.Find(2)->genre_ids, (std::vector<std::uint16_t>{static_cast<std::uint16_t>(comedy_id)}));
}

}  // namespace
}  // namespace cinerec::catalog
