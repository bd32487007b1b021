// The hybrid model on tiny made-up data with known answers: the content mapping, the blend's components,
// cold starts, movies outside the model, the bundle round trip and refusals, and the weight search.
#include "ml/hybrid_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ml/blend.h"
#include "ml/content_model.h"
#include "ml/hybrid_model_bundle.h"
#include "ml/hybrid_parts.h"
#include "ml/top_k.h"
#include "modelstore/errors.h"
#include "modelstore/model_bundle.h"

namespace cinerec::ml {
namespace {

// 4 movies in 2 genres, 2 factors: movies 0, 1 are Drama (factor axis 0), 2, 3 Horror (axis 1).
HybridModel::Parts TinyParts() {
  HybridModel::Parts p;
  p.version = "20260101T000000Z-abc123";
  p.users = IdMap({100, 101});
  p.items = IdMap({10, 11, 12, 13});
  p.factors = 2;
  p.item_factors = {1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f};
  p.regularization = 0.1f;
  p.alpha = 1.0f;
  p.neighbor_k = 1;
  p.neighbor_ids = {1, 0, 3, 2};
  p.neighbor_scores = {0.9f, 0.9f, 0.9f, 0.9f};
  p.item_k = 1;
  p.item_weight_ids = {1, 0, 3, 2};
  p.item_weights = {0.5f, 0.5f, 0.5f, 0.5f};
  p.popularity = {1, 2, 30, 4};  // a Horror movie is the most popular
  p.genre_names = {"Drama", "Horror"};
  p.item_genres = {{0}, {0}, {1}, {1}};
  return p;
}

TEST(HybridModelTest, FoldInTasteRanksTheSameGenreAbovePopularity) {
  auto p = TinyParts();
  p.weights = {1, 0, 0.1f, 0, 0};
  const HybridModel model(p);
  ViewerProfile viewer;
  viewer.user_id = 100;
  viewer.history = {{0, 0, 1.0f, 5.0f, 0}};  // loved Drama movie 0
  std::vector<float> scores(4);
  EXPECT_EQ(model.ScoreViewer(viewer, scores), ScoreSource::kPersonal);
  const auto top = TopK(scores, 4, std::vector<std::int32_t>{0});
  EXPECT_EQ(top.front(), 1);  // the other Drama movie, although Horror 2 is 10x more popular
  viewer.user_id = 999;
  EXPECT_EQ(model.ScoreViewer(viewer, scores), ScoreSource::kFoldIn);
}

TEST(HybridModelTest, ComponentsAreScaledAndBlendIsTheirWeightedSum) {
  auto p = TinyParts();
  p.weights = {0.5f, 2.0f, 1.0f, 0.25f, 0};
  const HybridModel model(p);
  ViewerProfile viewer;
  viewer.history = {{0, 2, 1.0f, 1.0f, 0}};
  std::vector<float> parts(4 * HybridModel::kComponents), scores(4);
  model.ComponentScores(viewer, parts);
  model.ScoreViewer(viewer, scores);
  for (int c = 0; c < HybridModel::kComponents; ++c) {
    float m = 0;
    for (int i = 0; i < 4; ++i)
      m = std::max(m, std::abs(parts[static_cast<std::size_t>(c * 4 + i)]));
    if (c == 4) {
      EXPECT_EQ(m, 0.0f);  // no content model
    } else {
      EXPECT_FLOAT_EQ(m, 1.0f) << "component " << c;
    }
  }
  // item: history movie 2 points at 3 only.
  EXPECT_FLOAT_EQ(parts[4 + 3], 1.0f);
  EXPECT_FLOAT_EQ(parts[4 + 0], 0.0f);
  // genre: affinities Drama (0.5 + 0) / 2, Horror (0.5 + 1) / 2 (one pseudo-movie spread over the genres);
  // genre popularity Drama 3, Horror 34; movie i scores pop_i * a_g / pop_g.
  const float horror2 = 30 * 0.75f / 34, drama0 = 1 * 0.25f / 3;
  EXPECT_FLOAT_EQ(parts[12 + 2], 1.0f);
  EXPECT_NEAR(parts[12 + 0], drama0 / horror2, 1e-6);
  EXPECT_NEAR(parts[12 + 3], 4 * 0.75f / 34 / horror2, 1e-6);
  EXPECT_FLOAT_EQ(parts[8 + 2], 1.0f);                                    // log1p(30) is the maximum
  EXPECT_NEAR(parts[8 + 1], std::log1p(2.0f) / std::log1p(30.0f), 1e-6);  // popularity
  for (int i = 0; i < 4; ++i) {
    const float expected =
        0.5f * parts[static_cast<std::size_t>(i)] + 2.0f * parts[static_cast<std::size_t>(4 + i)]
        + 1.0f * parts[static_cast<std::size_t>(8 + i)] + 0.25f * parts[static_cast<std::size_t>(12 + i)];
    EXPECT_NEAR(scores[static_cast<std::size_t>(i)], expected, 1e-5) << i;
  }
}

TEST(HybridModelTest, NobodyGetsPopularityAndOnboardingGenresGetTheirGenre) {
  auto p = TinyParts();
  p.weights = {0, 0, 0.2f, 1, 0};
  const HybridModel model(p);
  std::vector<float> scores(4);
  ViewerProfile nobody;
  EXPECT_EQ(model.ScoreViewer(nobody, scores), ScoreSource::kPopularity);
  EXPECT_EQ(TopK(scores, 1).front(), 2);
  ViewerProfile drama;
  drama.onboarding_genres = {"Drama", "Unknown genre"};
  EXPECT_EQ(model.ScoreViewer(drama, scores), ScoreSource::kContent);
  const auto top = TopK(scores, 2);
  EXPECT_EQ(top[0], 1);  // the more popular Drama movie
  EXPECT_EQ(top[1], 0);
}

TEST(HybridModelTest, ContentMappingRecoversALinearMapAndScoresAMovieOutsideTheModel) {
  // Factors that are exactly genre one-hot: y = f(genres) W with W = identity on the genre block.
  ContentFeaturizer featurizer({"Drama", "Horror"}, 0, {2000});
  std::vector<SparseFeatures> features;
  std::vector<float> factors;
  for (int i = 0; i < 40; ++i) {
    const bool drama = i % 2 == 0;
    features.push_back(featurizer.Features({{drama ? "Drama" : "Horror"}, "", 0}));
    factors.push_back(drama ? 1.0f : 0.0f);
    factors.push_back(drama ? 0.0f : 1.0f);
  }
  const std::vector<std::int64_t> counts(40, 10);
  ContentFitOptions fit;
  fit.regularization = 1e-3f;
  const auto w = FitContentMapping(features, factors, counts, featurizer.features(), 2, fit);
  const auto horror = EmbedFeatures(featurizer.GenreFeatures(std::vector<std::string>{"Horror"}), w, 2);
  EXPECT_NEAR(horror[0], 0.0f, 1e-3);
  EXPECT_NEAR(horror[1], 1.0f, 1e-3);
  // Movies with too few interactions do not teach the mapping.
  const std::vector<std::int64_t> none(40, 0);
  const auto zero = FitContentMapping(features, factors, none, featurizer.features(), 2, fit);
  for (float x : zero)
    EXPECT_EQ(x, 0.0f);

  auto p = TinyParts();
  p.term_buckets = 0;
  p.year_edges = {2000};
  p.content_weights = {1, 0, 0, 1, 0, 0, 0, 0};  // 2 genres + 0 buckets + 2 year bins, x 2 factors
  p.content_vectors = {1, 0, 1, 0, 0, 1, 0, 1};
  p.weights = {1, 0, 0, 0, 1};
  const HybridModel model(p);
  ASSERT_TRUE(model.has_content());
  const std::vector<OutsideMovie> extra = {model.PrepareOutsideMovie({{"Horror"}, "brand new", 2026}),
                                           model.PrepareOutsideMovie({{"Drama"}, "brand new", 2026})};
  ViewerProfile viewer;
  viewer.history = {{0, 2, 1.0f, 5.0f, 0}};  // a Horror fan
  std::vector<float> scores(4), extra_scores(2);
  model.ScoreViewer(viewer, scores, extra, extra_scores);
  EXPECT_GT(extra_scores[0], extra_scores[1]);  // the new Horror movie, seen by nobody, ranks first
  EXPECT_GT(extra_scores[0], 0.5f);
}

TEST(HybridModelTest, FeaturizerHashesTermsStablyAndBinsYears) {
  const ContentFeaturizer f({"Drama"}, 16, {1990, 2010});
  const auto a = f.Features({{"Drama"}, "Space, space and TIME!", 2015});
  const auto b = f.Features({{"Drama"}, "time and space space", 2015});
  EXPECT_EQ(a, b);  // case, punctuation and order do not matter
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.front(), (std::pair<std::int32_t, float>{0, 1.0f}));
  EXPECT_EQ(a.back().first, 1 + 16 + 2);  // the year bin from 2010 on
  EXPECT_EQ(f.Features({{}, "", 1980}).back().first, 1 + 16 + 0);
  EXPECT_EQ(f.features(), 1 + 16 + 3);
}

TEST(HybridModelTest, BundleRoundTripIsBitIdenticalAndBadPartsAreRefused) {
  auto p = TinyParts();
  p.weights = {0.5f, 1, 0.2f, 0.3f, 0};
  modelstore::ModelBundle bundle(p.version, "2026-01-01T00:00:00Z");
  AddHybridArtefacts(p, bundle);
  const auto model = HybridModel::FromBundle(bundle);
  EXPECT_EQ(model->version(), p.version);
  EXPECT_EQ(model->weights().item, 1.0f);
  EXPECT_EQ(model->item_ids().ids(), p.items.ids());
  ASSERT_EQ(model->Genres(2).size(), 1u);
  EXPECT_EQ(model->Genres(2)[0], "Horror");
  std::vector<float> from_parts(4), from_bundle(4);
  ViewerProfile viewer;
  viewer.history = {{0, 1, 1.0f, 1.0f, 0}};
  HybridModel(p).ScoreViewer(viewer, from_parts);
  model->ScoreViewer(viewer, from_bundle);
  EXPECT_EQ(from_parts, from_bundle);

  auto bad = TinyParts();
  bad.neighbor_ids[0] = 7;  // no movie 7
  EXPECT_THROW(HybridModel{bad}, std::invalid_argument);
  modelstore::ModelBundle bad_bundle(p.version, "2026-01-01T00:00:00Z");
  EXPECT_THROW(AddHybridArtefacts(bad, bad_bundle), std::invalid_argument);
  EXPECT_TRUE(bad_bundle.artefacts().empty());
  auto nan = TinyParts();
  nan.item_factors[3] = std::nanf("");
  EXPECT_THROW(HybridModel{nan}, std::invalid_argument);
  modelstore::ModelBundle missing(p.version, "2026-01-01T00:00:00Z");
  EXPECT_THROW(HybridModel::FromBundle(missing), modelstore::ModelStoreError);
}

TEST(HybridModelTest, BlendSearchPicksTheInformativeComponent) {
  // 60 users, 6 movies in 2 genres; each user watches genre movies only, and the most popular movie (5,
  // Drama-less) is never relevant: the genre component must win over popularity.
  auto p = TinyParts();
  p.items = IdMap({10, 11, 12, 13, 14, 15});
  p.users = IdMap();
  p.item_factors.assign(12, 0.0f);
  p.neighbor_ids.assign(6, -1);
  p.neighbor_scores.assign(6, 0.0f);
  p.item_weight_ids.assign(6, -1);
  p.item_weights.assign(6, 0.0f);
  p.popularity = {1, 1, 1, 1, 1, 100};
  p.item_genres = {{0}, {0}, {0}, {1}, {1}, {}};
  std::vector<Interaction> train, validation;
  std::vector<std::int64_t> ids;
  for (std::int32_t u = 0; u < 60; ++u) {
    ids.push_back(u);
    const std::int32_t base = u % 2 == 0 ? 0 : 3;
    train.push_back({u, base, 1, 1, 0});
    validation.push_back({u, base + 1, 1, 1, 0});
  }
  p.users = IdMap(ids);
  const HybridModel model(p);
  const auto matrix = InteractionMatrix::Build(60, 6, train);
  BlendSearchOptions options;
  options.k = 1;
  const auto result = LearnBlendWeights(model, matrix, validation, options);
  EXPECT_EQ(result.users, 60);
  EXPECT_GT(result.weights.genre, 0.0f);
  EXPECT_GT(result.single[3], result.single[2]);  // genre alone beats popularity alone
  EXPECT_GE(result.ndcg, result.single[3]);
}

}  // namespace
}  // namespace cinerec::ml
