#include "recommend/candidate_builder.h"

#include <gtest/gtest.h>

#include "recommend/recommend_test_support.h"

namespace cinerec::recommend {
namespace {

using testing::FakeItem;
using testing::FakeModel;
using testing::Movie;

// Two taste groups: sci-fi (x) and drama (y); 5 is a deleted sci-fi movie.
FakeModel Model() {
  return FakeModel("20260101T000000Z-000001",
                   {{1, {1, 0}, 10, {"Sci-Fi"}, {2, 3}},
                    {2, {0.9f, 0.1f}, 5, {"Sci-Fi"}, {1}},
                    {3, {0.8f, 0}, 1, {"Sci-Fi"}, {1}},
                    {4, {0, 1}, 50, {"Drama"}, {6}},
                    {5, {1, 0}, 1, {"Sci-Fi"}, {}},
                    {6, {0.1f, 0.9f}, 20, {"Drama"}, {4}}},
                   {77});
}

catalog::MovieSnapshot Catalogue() {
  return catalog::MovieSnapshot({Movie(1, {"Sci-Fi"}), Movie(2, {"Sci-Fi"}), Movie(3, {"Sci-Fi"}),
                                 Movie(4, {"Drama"}), Movie(5, {"Sci-Fi"}, 7, true), Movie(6, {"Drama"}),
                                 Movie(100, {"Sci-Fi"})});  // 100: added after training
}

std::vector<std::int64_t> Ids(const CandidateList& list) {
  std::vector<std::int64_t> out;
  for (const auto& item : list.items)
    out.push_back(item.movie_id);
  return out;
}

ViewerFacts Watched(std::int64_t user, std::vector<std::int64_t> movies, const ServingModel& model) {
  ViewerHistory history;
  history.exists = true;
  std::sort(movies.begin(), movies.end());
  for (std::size_t i = 0; i < movies.size(); ++i)
    history.views.push_back({movies[i], 100, true, 100, static_cast<std::int64_t>(1000 + i)});
  return BuildViewerFacts(user, history, &model.item_ids(), {});
}

TEST(CandidateBuilder, RanksByTasteWithoutSeenOrDeletedMoviesAndExplains) {
  const auto model = Model();
  const auto movies = Catalogue();
  const auto facts = Watched(5, {1}, model);
  const auto outside = FindOutsideMovies(model, movies);
  ASSERT_EQ(outside.ids, std::vector<std::int64_t>{100});
  BuildInput input{&model, &facts, &movies, &outside};
  const auto list = BuildCandidates(input);
  EXPECT_EQ(list.source, Source::kFoldIn);
  EXPECT_EQ(list.model_version, "20260101T000000Z-000001");
  // taste (1, 0): 2 -> 0.9, 100 -> mean sci-fi vector x = (1+0.9+0.8+1)/4 = 0.925, 3 -> 0.8, 6 -> 0.1, 4 ->
  // 0.
  EXPECT_EQ(Ids(list), (std::vector<std::int64_t>{100, 2, 3, 6, 4}));
  EXPECT_EQ(list.items[0].source, Source::kContent);
  EXPECT_EQ(list.items[0].reason, Reason::kNewInYourGenres);
  EXPECT_EQ(list.items[1].reason, Reason::kBecauseYouWatched);
  EXPECT_EQ(list.items[1].anchor, "1");
  EXPECT_EQ(list.items[3].reason, Reason::kForYou);
}

TEST(CandidateBuilder, KnownUsersArePersonalAndTheListIsCut) {
  const auto model = Model();
  const auto movies = Catalogue();
  const auto facts = Watched(77, {4}, model);
  BuildInput input{&model, &facts, &movies};
  input.max_candidates = 2;
  const auto list = BuildCandidates(input);
  EXPECT_EQ(list.source, Source::kPersonal);
  EXPECT_EQ(Ids(list), (std::vector<std::int64_t>{6, 2}));
}

TEST(CandidateBuilder, OnboardingGenresGoThroughContentAndNobodyGetsPopularity) {
  const auto model = Model();
  const auto movies = Catalogue();
  ViewerFacts facts;
  facts.profile.onboarding_genres = {"Drama"};
  BuildInput input{&model, &facts, &movies};
  auto list = BuildCandidates(input);
  EXPECT_EQ(list.source, Source::kContent);
  EXPECT_EQ(Ids(list), (std::vector<std::int64_t>{4, 6, 1, 2, 3})) << "dramas first, then by popularity";
  EXPECT_EQ(list.items[0].reason, Reason::kMatchesYourGenres);
  EXPECT_EQ(list.items[0].anchor, "Drama");

  facts.profile.onboarding_genres.clear();
  list = BuildCandidates(input);
  EXPECT_EQ(list.source, Source::kPopular);
  EXPECT_EQ(Ids(list), (std::vector<std::int64_t>{4, 6, 1, 2, 3}));
  EXPECT_EQ(list.items[0].reason, Reason::kPopularInGenre);
}

TEST(CandidateBuilder, GenreRestriction) {
  const auto model = Model();
  const auto movies = Catalogue();
  const auto facts = Watched(5, {1}, model);
  const std::vector<std::string> drama{"Drama"};
  BuildInput input{&model, &facts, &movies};
  input.only_genres = &drama;
  EXPECT_EQ(Ids(BuildCandidates(input)), (std::vector<std::int64_t>{6, 4}));
}

TEST(CandidateBuilder, SimilarMoviesAreTheLiveNeighbours) {
  const auto model = Model();
  const auto movies = Catalogue();
  const auto list = BuildSimilar(model, 1, movies);
  EXPECT_EQ(Ids(list), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(list.items[0].reason, Reason::kSimilarTo);
  EXPECT_EQ(list.items[0].anchor, "1");
  EXPECT_TRUE(BuildSimilar(model, 100, movies).items.empty()) << "not in the model";
}

}  // namespace
}  // namespace cinerec::recommend
