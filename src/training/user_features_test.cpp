#include "training/user_features.h"

#include <gtest/gtest.h>

namespace cinerec::training {
namespace {

PairActivity Pair(std::int64_t user, std::int64_t movie, int views, int completed, int reaction,
                  std::int64_t first, std::int64_t last) {
  return {user, movie, views, completed, reaction, first, last};
}

// Genres 0 Action, 1 Comedy, 2 Drama. Movie 10: Action + Comedy, 11: Drama, 12: none, 13: Comedy.
UserProfileBuilder Builder() {
  return UserProfileBuilder(3, {{10, {0, 1}}, {11, {2}}, {13, {1}}});
}

TEST(UserFeaturesTest, ProfilesOfATinyKnownDataset) {
  auto builder = Builder();
  builder.Add(Pair(2, 11, 1, 0, 0, 7000, 7000));  // abandoned: not positive
  builder.Add(Pair(1, 10, 2, 1, 0, 1000, 5000));  // completed once: positive
  builder.Add(Pair(1, 11, 1, 0, 1, 2000, 9000));  // not completed but liked: positive
  builder.Add(Pair(1, 13, 1, 1, -1, 500, 600));   // completed but disliked: not positive
  builder.Add(Pair(1, 12, 0, 0, 1, 3000, 3000));  // a like without a view; the movie has no genre
  const auto profiles = builder.Finish();
  ASSERT_EQ(profiles.size(), 2u);

  const auto& u1 = profiles[0];  // sorted by user id
  EXPECT_EQ(u1.user_id, 1);
  EXPECT_EQ(u1.movies, 4);
  EXPECT_EQ(u1.views, 4);
  EXPECT_EQ(u1.completed_views, 2);
  EXPECT_EQ(u1.likes, 2);
  EXPECT_EQ(u1.dislikes, 1);
  EXPECT_EQ(u1.positive_movies, 3);  // 10, 11, 12
  EXPECT_EQ(u1.first_ms, 500);
  EXPECT_EQ(u1.last_ms, 9000);
  // Of 3 positive movies: one Action + Comedy (10), one Drama (11), one without genre (12); 13 is disliked.
  ASSERT_EQ(u1.genre_affinity.size(), 3u);
  EXPECT_FLOAT_EQ(u1.genre_affinity[0], 1.0f / 3);
  EXPECT_FLOAT_EQ(u1.genre_affinity[1], 1.0f / 3);
  EXPECT_FLOAT_EQ(u1.genre_affinity[2], 1.0f / 3);

  const auto& u2 = profiles[1];
  EXPECT_EQ(u2.user_id, 2);
  EXPECT_EQ(u2.movies, 1);
  EXPECT_EQ(u2.views, 1);
  EXPECT_EQ(u2.completed_views, 0);
  EXPECT_EQ(u2.positive_movies, 0);
  EXPECT_EQ(u2.genre_affinity, (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(u2.first_ms, 7000);
  EXPECT_EQ(u2.last_ms, 7000);

  EXPECT_TRUE(builder.Finish().empty());  // emptied
}

TEST(UserFeaturesTest, SharesCanAddUpToMoreThanOneWithSeveralGenres) {
  auto builder = Builder();
  builder.Add(Pair(5, 10, 1, 1, 0, 0, 0));
  builder.Add(Pair(5, 13, 1, 1, 0, 0, 0));
  const auto p = builder.Finish().at(0);
  EXPECT_FLOAT_EQ(p.genre_affinity[0], 0.5f);  // Action: 10
  EXPECT_FLOAT_EQ(p.genre_affinity[1], 1.0f);  // Comedy: 10 and 13
  EXPECT_FLOAT_EQ(p.genre_affinity[2], 0.0f);
}

TEST(UserFeaturesTest, GenreIndexOutOfRangeIsRefused) {
  UserProfileBuilder builder(2, {{10, {2}}});
  EXPECT_THROW(builder.Add(Pair(1, 10, 1, 1, 0, 0, 0)), std::invalid_argument);
}

TEST(UserFeaturesTest, DaysSinceAndFactorIndex) {
  EXPECT_DOUBLE_EQ(DaysSince(0, 86400000LL * 3 / 2), 1.5);
  EXPECT_DOUBLE_EQ(DaysSince(100, 50), 0.0);
  const std::vector<std::int64_t> ids = {7, 3};
  const std::vector<float> factors = {1, 2, 3, 4};
  const UserFactorIndex index(ids, factors, 2);
  EXPECT_EQ(index.factors(), 2u);
  ASSERT_EQ(index.Find(3).size(), 2u);
  EXPECT_EQ(index.Find(3)[0], 3.0f);
  EXPECT_EQ(index.Find(7)[1], 2.0f);
  EXPECT_TRUE(index.Find(8).empty());
  EXPECT_THROW(UserFactorIndex(ids, factors, 3), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::training
