#include "recommend/list_filter.h"

#include <gtest/gtest.h>

#include "catalog/movie_directory.h"
#include "recommend/recommend_test_support.h"

namespace cinerec::recommend {
namespace {

using testing::Movie;

std::vector<std::int64_t> Ids(const std::vector<Selected>& selected) {
  std::vector<std::int64_t> out;
  for (const auto& s : selected)
    out.push_back(s.candidate->movie_id);
  return out;
}

CandidateList ListOf(std::vector<std::int64_t> ids) {
  CandidateList list;
  for (auto id : ids)
    list.Add(id, 1.0f, Source::kPersonal, Reason::kForYou);
  return list;
}

TEST(ListFilter, AppliesExclusionsTierDeletedAndGenres) {
  catalog::MovieSnapshot movies({Movie(1, {"Drama"}), Movie(2, {"Comedy"}, 4), Movie(3, {"Drama"}, 7, true),
                                 Movie(4, {"Drama", "War"}), Movie(5, {"Drama"})});
  const auto list = ListOf({1, 2, 3, 4, 5, 6});
  ReadFilter filter;
  filter.limit = 10;
  filter.tier_bit = TierBit("free");
  filter.diversify = false;
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{1, 4, 5}))
      << "2 premium only, 3 deleted, 6 unknown";
  filter.tier_bit = TierBit("premium");
  filter.excluded = {5};
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{1, 2, 4}));
  filter.genres = {"War", "Comedy"};
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{2, 4}));
  filter.limit = 1;
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{2}));
  filter.limit = 10;
  filter.genres = {"Western"};  // no movie has it
  EXPECT_TRUE(Select(list, movies, filter).empty());
  filter.genres.clear();
  const std::vector<std::int64_t> hidden{1, 4};  // the viewer's recent state, sorted
  filter.also_excluded = hidden;
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{2})) << "5 excluded by the request";
}

TEST(ListFilter, CapsAGenreAt60PercentOfThePageAndFillsWithTheDeferred) {
  catalog::MovieSnapshot movies({Movie(1, {"Drama"}), Movie(2, {"Drama"}), Movie(3, {"Drama"}),
                                 Movie(4, {"Drama"}), Movie(5, {"Comedy"}), Movie(6, {"Drama"})});
  const auto list = ListOf({1, 2, 3, 4, 5, 6});
  ReadFilter filter;
  filter.limit = 4;
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{1, 2, 3, 5}))
      << "three Drama (60% of 4, at least 3), then Comedy";
  filter.limit = 5;
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{1, 2, 3, 5, 4}))
      << "then the best deferred Drama";
  filter.limit = 4;
  filter.diversify = false;
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{1, 2, 3, 4}));
  filter.diversify = true;
  filter.genres = {"Drama"};
  EXPECT_EQ(Ids(Select(list, movies, filter)), (std::vector<std::int64_t>{1, 2, 3, 4}))
      << "the requested genre is not capped";
}

TEST(ListFilter, TierBits) {
  EXPECT_EQ(TierBit("free"), 1);
  EXPECT_EQ(TierBit("basic"), 2);
  EXPECT_EQ(TierBit("premium"), 4);
  EXPECT_EQ(TierBit("gold"), 0);
}

TEST(ListFilter, ReasonTexts) {
  catalog::MovieSnapshot movies({Movie(1, {"Drama"})});
  EXPECT_EQ(ReasonText({2, 0, Source::kPersonal, Reason::kBecauseYouWatched}, "1", movies),
            "because you watched Movie 1");
  EXPECT_EQ(ReasonText({2, 0, Source::kPersonal, Reason::kBecauseYouWatched}, "9", movies), "picked for you");
  EXPECT_EQ(ReasonText({2, 0, Source::kPopular, Reason::kPopularInGenre}, "Drama", movies),
            "popular in Drama");
  EXPECT_EQ(ReasonText({2, 0, Source::kContent, Reason::kNewInYourGenres}, "War", movies), "new in War");
  EXPECT_EQ(ReasonText({2, 0, Source::kTrending, Reason::kTrendingNow}, "", movies), "trending now");
  EXPECT_EQ(ReasonText({2, 0, Source::kSimilar, Reason::kSimilarTo}, "1", movies), "similar to Movie 1");
}

}  // namespace
}  // namespace cinerec::recommend
