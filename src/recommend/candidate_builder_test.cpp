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
  EXPECT_EQ(list.AnchorOf(list.items[1]), "1");
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
  EXPECT_EQ(list.AnchorOf(list.items[0]), "Drama");

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
  EXPECT_EQ(list.AnchorOf(list.items[0]), "1");
  EXPECT_TRUE(BuildSimilar(model, 100, movies).items.empty()) << "not in the model";
}

// The top-candidates selection against a plain sort of every eligible movie: 2,000 movies with scores on a
// few levels (many ties, broken by movie id), some deleted, some finished, some outside the model.
TEST(CandidateBuilder, SelectionMatchesSortingEveryEligibleMovie) {
  std::vector<FakeItem> items;
  std::vector<catalog::MovieInfo> catalogue;
  for (std::int64_t id = 1; id <= 2000; ++id) {
    const float level = static_cast<float>((id * 7919) % 13) / 13.0f;
    items.push_back(
        {id, {level, 1.0f - level}, static_cast<float>(id % 17), {id % 2 ? "Drama" : "Sci-Fi"}, {}});
    catalogue.push_back(Movie(id, {id % 2 ? "Drama" : "Sci-Fi"}, 7, id % 29 == 0));
  }
  for (std::int64_t id = 5001; id <= 5020; ++id)
    catalogue.push_back(Movie(id, {"Sci-Fi"}));  // added after training
  const FakeModel model("20260101T000000Z-000002", items);
  const catalog::MovieSnapshot movies(catalogue);
  const auto facts = Watched(9, {3, 10, 400, 1999}, model);
  const auto outside = FindOutsideMovies(model, movies);
  ASSERT_EQ(outside.ids.size(), 20u);

  // The reference: every eligible movie's score, sorted best first (equal scores by id).
  std::vector<float> scores(items.size()), outside_scores(outside.movies.size());
  model.ScoreViewer(facts.profile, scores, outside.movies, outside_scores);
  std::vector<std::pair<float, std::int64_t>> all;
  for (std::size_t row = 0; row < items.size(); ++row) {
    const auto id = items[row].id;
    if (!facts.excluded.contains(id) && !movies.Find(id)->deleted) all.push_back({scores[row], id});
  }
  for (std::size_t i = 0; i < outside.ids.size(); ++i)
    all.push_back({outside_scores[i], outside.ids[i]});
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });

  for (const std::size_t keep : {std::size_t{0}, std::size_t{1}, std::size_t{300}, std::size_t{5000}}) {
    BuildInput input{&model, &facts, &movies, &outside};
    input.max_candidates = keep;
    const auto list = BuildCandidates(input);
    ASSERT_EQ(list.items.size(), std::min(keep, all.size())) << keep;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      EXPECT_EQ(list.items[i].movie_id, all[i].second) << "keep " << keep << " position " << i;
      EXPECT_EQ(list.items[i].score, all[i].first);
    }
    // Without the prepared catalogue index (lookups per movie) the list is the same.
    OutsideMovies plain{outside.ids, outside.movies, {}, {}};
    input.outside = &plain;
    EXPECT_EQ(Ids(BuildCandidates(input)), Ids(list)) << keep;
  }
}

// The catalogue index is prepared per (model, snapshot); used with a newer snapshot (a movie deleted since,
// one gone, the order changed) it must not let anything through that the newer snapshot rules out.
TEST(CandidateBuilder, AnIndexOfAnotherSnapshotFallsBackToTheCatalogue) {
  const auto model = Model();
  const auto old_movies = Catalogue();
  const auto outside = FindOutsideMovies(model, old_movies);
  const catalog::MovieSnapshot new_movies({Movie(6, {"Drama"}), Movie(4, {"Drama"}), Movie(3, {"Sci-Fi"}),
                                           Movie(2, {"Sci-Fi"}, 7, true), Movie(1, {"Sci-Fi"}),
                                           Movie(100, {"Sci-Fi"})});
  const auto facts = Watched(5, {1}, model);
  BuildInput input{&model, &facts, &new_movies, &outside};
  const auto list = BuildCandidates(input);
  const auto fresh = FindOutsideMovies(model, new_movies);
  input.outside = &fresh;
  EXPECT_EQ(Ids(list), Ids(BuildCandidates(input)));
  EXPECT_EQ(Ids(list), (std::vector<std::int64_t>{100, 3, 6, 4})) << "2 was deleted since, 5 is gone";
}

}  // namespace
}  // namespace cinerec::recommend
