// The readers on the hand-written fixtures in tests/fixtures/movielens (see the README there).
#include <gtest/gtest.h>

#include "ingest/movielens_import.h"
#include "ingest/movielens_source.h"
#include "ingest/text.h"

namespace cinerec::ingest {
namespace {

std::string Fixture(const std::string& name) {
  return std::string(CINEREC_SOURCE_DIR) + "/tests/fixtures/movielens/" + name;
}

struct Read {
  std::vector<MovieRecord> movies;
  std::vector<UserRecord> users;
  std::vector<RatingRecord> ratings;
};

Read ReadAll(MovieLensSource& source) {
  Read r;
  source.ReadMovies([&](MovieRecord&& m) { r.movies.push_back(std::move(m)); });
  source.ReadUsers([&](const UserRecord& u) { r.users.push_back(u); });
  source.ReadRatings([&](const RatingRecord& x) { r.ratings.push_back(x); });
  return r;
}

TEST(MovieLensReadersTest, DetectsEachFormat) {
  EXPECT_EQ(DetectMovieLensFormat(Fixture("ml-100k")), "ml-100k");
  EXPECT_EQ(DetectMovieLensFormat(Fixture("ml-1m")), "ml-1m");
  EXPECT_EQ(DetectMovieLensFormat(Fixture("ml-latest-small")), "ml-latest");
  EXPECT_THROW(DetectMovieLensFormat(Fixture("")), IngestError);
  EXPECT_THROW(OpenMovieLens(Fixture("ml-1m"), "ml-7z", {}), IngestError);
}

TEST(MovieLensReadersTest, Ml100k) {
  auto source = OpenMovieLens(Fixture("ml-100k"), "", {});
  auto r = ReadAll(*source);
  ASSERT_EQ(r.movies.size(), 4u);
  EXPECT_EQ(r.users.size(), 3u);
  ASSERT_EQ(r.ratings.size(), 6u);
  EXPECT_EQ(r.movies[0].title, "Toy Story");
  EXPECT_EQ(r.movies[0].year, 1995);
  EXPECT_EQ(r.movies[0].genres, (std::vector<std::string>{"Animation", "Children's", "Comedy"}));
  EXPECT_EQ(r.movies[1].title, "L\xc3\xa9on");  // Latin-1 in the file, UTF-8 here
  EXPECT_EQ(r.movies[1].genres.size(), 4u);
  EXPECT_TRUE(r.movies[2].genres.empty());  // only the "unknown" flag
  EXPECT_FALSE(r.movies[2].year);
  EXPECT_EQ(r.ratings[0].user, 1);
  EXPECT_EQ(r.ratings[0].movie, 1);
  EXPECT_EQ(r.ratings[0].rating, 5);
  EXPECT_EQ(r.ratings[0].timestamp, 881250949);
  EXPECT_EQ(source->ratings_bytes_read(), source->ratings_file_bytes());
}

TEST(MovieLensReadersTest, Ml1m) {
  auto source = OpenMovieLens(Fixture("ml-1m"), "ml-1m", {});
  auto r = ReadAll(*source);
  ASSERT_EQ(r.movies.size(), 3u);
  EXPECT_EQ(r.users.size(), 2u);
  EXPECT_EQ(r.ratings.size(), 5u);
  EXPECT_EQ(r.movies[1].title, "Caf\xc3\xa9 au lait");
  EXPECT_EQ(r.movies[1].year, 1993);
  EXPECT_EQ(r.movies[2].genres, (std::vector<std::string>{"Adventure", "Children's", "Fantasy"}));
}

TEST(MovieLensReadersTest, MlLatestQuotedTitlesLinksAndHalfStars) {
  auto source = OpenMovieLens(Fixture("ml-latest-small"), "", {});
  auto r = ReadAll(*source);
  ASSERT_EQ(r.movies.size(), 5u);
  EXPECT_TRUE(r.users.empty());
  ASSERT_EQ(r.ratings.size(), 7u);
  EXPECT_EQ(r.movies[1].title, "American President, The");
  EXPECT_EQ(r.movies[2].title, "Usual Suspects, The \"Director's Cut\"");
  EXPECT_EQ(r.movies[2].year, 1995);
  EXPECT_EQ(r.movies[0].imdb, "tt0114709");
  EXPECT_EQ(r.movies[0].tmdb, 862);
  EXPECT_FALSE(r.movies[2].tmdb);
  EXPECT_EQ(r.movies[3].title, "Babylon 5");
  EXPECT_TRUE(r.movies[3].genres.empty());
  EXPECT_DOUBLE_EQ(r.ratings[1].rating, 3.5);
  EXPECT_EQ(r.movies[0].tags, (std::vector<std::string>{"pixar, fun", "pixar"}));  // distinct, file order
  EXPECT_EQ(r.movies[3].tags, (std::vector<std::string>{"sci-fi"}));
}

TEST(MovieLensReadersTest, MalformedRowNamesFileAndLine) {
  auto source = OpenMovieLens(Fixture("ml-latest-bad"), "", {});
  try {
    ReadAll(*source);
    FAIL() << "no error";
  } catch (const IngestError& e) {
    EXPECT_NE(std::string(e.what()).find("ratings.csv:3: movieId is not an integer"), std::string::npos)
        << e.what();
  }
}

TEST(MovieLensReadersTest, SkipBadRowsCountsThem) {
  auto source = OpenMovieLens(Fixture("ml-latest-bad"), "", ReadOptions{true});
  auto r = ReadAll(*source);
  EXPECT_EQ(r.ratings.size(), 6u);
  EXPECT_EQ(source->skipped_rows(), 1u);
}

TEST(MovieLensImportMappingTest, RatingsBecomeCompletedViewsWithReactions) {
  RatingMapping mapping;
  auto like = RatingToInteraction("ml-1m", {1, 2, 4.0, 100}, mapping);
  EXPECT_EQ(like.reaction, 1);
  EXPECT_TRUE(like.completed);
  EXPECT_EQ(like.stop_time, 100);
  EXPECT_EQ(like.session_key, "import:ml-1m:1:2:100");
  EXPECT_EQ(RatingToInteraction("ml-1m", {1, 2, 3.5, 100}, mapping).reaction, 0);
  EXPECT_EQ(RatingToInteraction("ml-1m", {1, 2, 2.0, 100}, mapping).reaction, -1);
  EXPECT_EQ(RatingToInteraction("ml-1m", {1, 2, 3.0, 100}, RatingMapping{3, 1}).reaction, 1);
}

}  // namespace
}  // namespace cinerec::ingest
