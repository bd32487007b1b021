// The quality bars of the training issue, on the test stack's PostgreSQL and S3:
//  - `cinerec generate --seed 42` + `cinerec train` (time split): the blended model's NDCG@10 is at
//  least 1.5x
//    popularity's and at least the tuned ALS and EASE baselines'; the published bundle loads back as a
//    HybridModel, and the files in S3 (listed with the aws CLI) are the ones the manifest names;
//  - cold movies: movies held out of training entirely are ranked, through their content alone, for the
//    users who later watched them far above chance;
//  - a MovieLens-format fixture runs through import and train end to end.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "app/stores.h"
#include "common/config.h"
#include "ml/hybrid_model.h"
#include "ml/interaction_builder.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "support/cli_run.h"
#include "support/test_env.h"
#include "training/hybrid_fit.h"
#include "training/pg_interaction_reader.h"
#include "training/pg_movie_content.h"
#include "training/trainer.h"

namespace cinerec {
namespace {

double Ndcg10(const boost::json::object& metrics, const char* model) {
  return metrics.at(model).as_object().at("ndcg@10").as_double();
}

TEST(TrainQualityTest, BlendBeatsPopularityAlsAndEaseOnGeneratedData) {
  auto config = testing::IsolatedConfig();
  const auto generate = testing::RunCinerec(config, "generate --seed 42 --end-time 1767225600");
  ASSERT_EQ(generate.code, 0) << generate.output;
  const auto dir = std::filesystem::temp_directory_path() / ("cinerec-quality-" + testing::UniqueName());
  const auto train =
      testing::RunCinerec(config, "train --no-features --threads 2 --seed 42 --output " + dir.string());
  ASSERT_EQ(train.code, 0) << train.output;
  std::cout << train.output;
  const auto manifest = boost::json::parse(testing::ReadWholeFile(dir / "manifest.json")).as_object();
  const auto& metrics = manifest.at("metrics").as_object();
  const double popularity = Ndcg10(metrics, "popularity"), als = Ndcg10(metrics, "als"),
               ease = Ndcg10(metrics, "ease"), hybrid = Ndcg10(metrics, "hybrid");
  std::cout << fmt::format(
      "NDCG@10: popularity {:.4f}, als {:.4f}, ease {:.4f}, hybrid {:.4f} ({:.2f}x popularity)\n", popularity,
      als, ease, hybrid, hybrid / popularity);
  EXPECT_GT(popularity, 0.0);
  EXPECT_GE(hybrid, 1.5 * popularity);
  EXPECT_GE(hybrid, als);
  EXPECT_GE(hybrid, ease);
  EXPECT_TRUE(manifest.at("parameters").at("tuned").as_bool());
  EXPECT_TRUE(manifest.at("parameters").at("blend").is_object());

  // Published: LATEST is this version; it loads as the serving side will load it.
  auto stores = Stores::Connect(config);
  modelstore::ModelStore store(*stores.s3);
  const auto version = store.Latest();
  ASSERT_TRUE(version);
  EXPECT_EQ(manifest.at("version").as_string(), *version);
  const auto bundle = store.Load(*version);
  const auto model = ml::HybridModel::FromBundle(bundle);
  EXPECT_TRUE(model->has_content());
  EXPECT_EQ(model->items(), manifest.at("data").at("movies").as_int64());
  EXPECT_FALSE(model->genre_vocabulary().empty());
  for (const auto& [name, artefact] : bundle.artefacts())
    EXPECT_EQ(testing::ReadWholeFile(dir / modelstore::ArtefactFileName(name)),
              std::string(artefact.Encoded()))
        << name;
  // And the aws CLI sees every file of the manifest under models/<version>/.
  const auto [code, listing] =
      testing::RunAwsCli(config.s3, "s3 ls s3://" + config.s3.bucket + "/models/" + *version + "/");
  ASSERT_EQ(code, 0) << listing;
  for (const auto& file : manifest.at("files").as_array())
    EXPECT_NE(listing.find(std::string(file.at("name").as_string())), std::string::npos) << file;
  std::filesystem::remove_all(dir);
}

TEST(TrainQualityTest, ColdMoviesAreRecommendedThroughTheirContent) {
  auto config = testing::IsolatedConfig();
  const auto generate = testing::RunCinerec(config, "generate --seed 7 --end-time 1767225600");
  ASSERT_EQ(generate.code, 0) << generate.output;
  PgPool pg(config.postgres);
  ml::InteractionBuilder builder{ml::SignalWeights{}};
  training::ReadInteractions(pg, {}, builder);
  const auto all = builder.Build();
  const auto content = training::ReadCatalogContent(pg);

  // Every 10th movie is held out of training entirely; the warm rest trains the model.
  const auto cold = [](std::int64_t movie_id) { return movie_id % 10 == 3; };
  std::vector<ml::Interaction> warm;
  std::vector<std::pair<std::int64_t, std::int64_t>> later;  // (user, cold movie) positive cells
  std::set<std::int64_t> cold_ids;
  for (const auto& cell : all.Cells()) {
    const auto movie_id = all.item_ids().Id(cell.item);
    if (!cold(movie_id)) {
      warm.push_back(cell);
    } else if (cell.preference >= 0.5f) {
      later.emplace_back(all.user_ids().Id(cell.user), movie_id);
    }
  }
  for (const auto& [id, movie] : content.movies)
    if (cold(id)) cold_ids.insert(id);
  // Only warm users and movies in the id maps: a cold movie must be unknown to the model.
  ml::IdMap users, items;
  std::vector<ml::Interaction> remapped;
  for (auto cell : warm) {
    cell.user = users.Add(all.user_ids().Id(cell.user));
    cell.item = items.Add(all.item_ids().Id(cell.item));
    remapped.push_back(cell);
  }
  const auto train = ml::InteractionMatrix::Build(users, items, remapped);
  ASSERT_GT(train.items(), 500);

  training::HybridOptions options;
  options.als.threads = 2;
  options.als.factors = 32;
  options.als.regularization = 50;
  options.als.alpha = 5;
  std::ostringstream progress;
  const auto held_out = training::SplitMatrix(train, {training::SplitKind::kTime, 0.2, 42});
  const auto evaluation =
      training::EvaluateHybrid(held_out.train, held_out.test, &content, options, progress);
  auto fit = training::FitComponents(train, {}, &content, options, progress);
  fit.parts.weights = evaluation.blend.weights;
  fit.parts.version = "20260101T000000Z-c01d00";
  const ml::HybridModel model(std::move(fit.parts));
  const std::vector<std::int64_t> cold_list(cold_ids.begin(), cold_ids.end());
  const auto result = training::EvaluateColdItems(model, train, cold_list, later, content, 10);
  std::cout << fmt::format(
      "cold movies: {} movies, {} (user, movie) pairs; hit rate@10 {:.4f} vs chance {:.4f} "
      "({:.1f}x)\n",
      result.cold_movies, result.pairs, result.hit_rate, result.chance, result.hit_rate / result.chance);
  ASSERT_GT(result.pairs, 1000);
  EXPECT_GE(result.hit_rate, 2.0 * result.chance);
}

TEST(TrainQualityTest, MovieLensFixtureRunsThroughImportAndTrain) {
  auto config = testing::IsolatedConfig();
  const auto import = testing::RunCinerec(
      config, std::string("import ") + CINEREC_SOURCE_DIR + "/tests/fixtures/movielens/ml-1m");
  ASSERT_EQ(import.code, 0) << import.output;
  const auto train = testing::RunCinerec(
      config,
      "train --no-features --min-user-interactions 1 --min-movie-interactions 1 --threads 2 --factors 4");
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_NE(train.output.find("hybrid"), std::string::npos) << train.output;
  EXPECT_NE(train.output.find("published it as LATEST"), std::string::npos) << train.output;
}

}  // namespace
}  // namespace cinerec
