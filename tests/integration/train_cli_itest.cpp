// `cinerec train` / `cinerec evaluate` on the test stack: what the reader makes of hand-written rows
// (signals, re-watches, the time window, minimum counts), and the commands as processes on data with taste
// structure (ALS beats popularity; the same seed gives bit-identical factors; the model lands in S3).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/stores.h"
#include "common/config.h"
#include "ml/interaction_builder.h"
#include "ml/random.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"
#include "support/cli_run.h"
#include "support/http_test_client.h"
#include "support/test_env.h"
#include "training/min_counts.h"
#include "training/pg_interaction_reader.h"

namespace cinerec {
namespace {

// The binary as a process (tests/support/cli_run.h).
testing::CliRun Cinerec(const Config& config, const std::string& args) {
  return testing::RunCinerec(config, args);
}

void Users(PgPool& pg, int count) {
  pg.Exec(
      "INSERT INTO users (id, email, display_name) SELECT g, 'u' || g || '@x.test', 'U' || g "
      "FROM generate_series(1, $1::int) g",
      PgParams(count));
}

void View(PgPool& pg, int user, int movie, int watched_s, bool completed, const std::string& at) {
  static int session = 0;
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed) "
      "VALUES ($1::bigint, $2::bigint, $3, $4::timestamptz, $4::timestamptz, $5::int, $6::boolean)",
      PgParams(user, movie, "s" + std::to_string(++session), at, watched_s, completed));
}

void Reaction(PgPool& pg, int user, int movie, int value, const std::string& at) {
  pg.Exec(
      "INSERT INTO reactions (user_id, movie_id, value, event_time, event_id) "
      "VALUES ($1::bigint, $2::bigint, $3::smallint, $4::timestamptz, gen_random_uuid())",
      PgParams(user, movie, value, at));
}

struct Read {
  training::ReadCounts counts;
  ml::InteractionMatrix matrix;
};
Read ReadAll(PgPool& pg, const training::ReadOptions& options) {
  ml::InteractionBuilder builder{ml::SignalWeights{}};
  Read read;
  read.counts = training::ReadInteractions(pg, options, builder);
  read.matrix = builder.Build();
  return read;
}

const ml::Interaction* CellOf(const std::vector<ml::Interaction>& cells, const ml::InteractionMatrix& m,
                              std::int64_t user, std::int64_t movie) {
  for (const auto& c : cells) {
    if (m.user_ids().Id(c.user) == user && m.item_ids().Id(c.item) == movie) return &c;
  }
  return nullptr;
}

TEST(TrainReadTest, SignalsRewatchesWindowAndMinCounts) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  Users(pg, 3);
  pg.Exec(
      "INSERT INTO movies (id, title, duration_s, deleted_at) VALUES (10, 'A', 1000, NULL), "
      "(11, 'B', 1000, NULL), (12, 'C', NULL, NULL), (13, 'D', 1000, now())");
  View(pg, 1, 10, 1000, true, "2026-01-01T10:00:00Z");
  View(pg, 1, 10, 1000, true, "2026-01-05T10:00:00Z");  // a re-watch
  View(pg, 1, 11, 500, false, "2026-01-02T10:00:00Z");  // half: partial
  View(pg, 1, 12, 100, false, "2026-01-03T10:00:00Z");  // unknown duration: dropped
  View(pg, 2, 10, 100, false, "2026-01-02T10:00:00Z");  // 10%: abandoned
  View(pg, 2, 13, 1000, true, "2026-01-02T10:00:00Z");  // deleted movie: not read
  View(pg, 3, 11, 1000, true, "2025-06-01T10:00:00Z");
  Reaction(pg, 2, 11, 1, "2026-01-03T10:00:00Z");
  Reaction(pg, 1, 11, -1, "2026-01-04T10:00:00Z");
  Reaction(pg, 3, 10, 0, "2026-01-04T10:00:00Z");  // cleared

  training::ReadOptions options;
  options.page_rows = 2;  // several pages, and a (user, movie) pair across a page boundary
  const auto all = ReadAll(pg, options);
  EXPECT_EQ(all.counts.views, 6);
  EXPECT_EQ(all.counts.reactions, 2);
  EXPECT_EQ(all.counts.signals, 7);
  EXPECT_EQ(all.counts.rewatches, 1);
  EXPECT_EQ(all.counts.dropped, 1);
  EXPECT_EQ(all.matrix.users(), 3);
  EXPECT_EQ(all.matrix.items(), 2);
  EXPECT_EQ(all.matrix.nnz(), 5);
  const auto cells = all.matrix.Cells();
  const auto* rewatched = CellOf(cells, all.matrix, 1, 10);
  ASSERT_NE(rewatched, nullptr);
  EXPECT_FLOAT_EQ(rewatched->confidence, 1.5f);  // completed 1 + re-watch 0.5
  EXPECT_FLOAT_EQ(rewatched->preference, 1.0f);
  EXPECT_EQ(rewatched->time_ms, 1767607200000);  // the later view
  const auto* disliked = CellOf(cells, all.matrix, 1, 11);
  ASSERT_NE(disliked, nullptr);
  EXPECT_FLOAT_EQ(disliked->confidence, 2.5f);  // partial 0.5 + dislike 2
  EXPECT_FLOAT_EQ(disliked->preference, 0.2f);
  const auto* abandoned = CellOf(cells, all.matrix, 2, 10);
  ASSERT_NE(abandoned, nullptr);
  EXPECT_FLOAT_EQ(abandoned->preference, 0.0f);
  EXPECT_FLOAT_EQ(abandoned->confidence, 0.5f);

  options.since = "2026-01-01";
  const auto since = ReadAll(pg, options);
  EXPECT_EQ(since.counts.views, 5);
  EXPECT_EQ(since.matrix.users(), 2);
  EXPECT_EQ(since.matrix.nnz(), 4);

  options.since.reset();
  options.until = "2026-01-03T10:00:00Z";  // exclusive
  const auto until = ReadAll(pg, options);
  EXPECT_EQ(until.counts.views, 4);
  EXPECT_EQ(until.counts.reactions, 0);
  EXPECT_EQ(until.counts.rewatches, 0);
  EXPECT_EQ(until.matrix.nnz(), 4);

  // At least 2 movies per user and 2 users per movie: user 3 (one movie) goes.
  const auto filtered = training::FilterByMinCounts(all.matrix, {2, 2});
  EXPECT_EQ(filtered.matrix.user_ids().ids(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(filtered.matrix.nnz(), 4);

  options.until = "not a time";
  EXPECT_THROW(ReadAll(pg, options), PgQueryError);
}

// 240 users in 4 taste groups (movie m belongs to group m % 4), 12 completed views each, 85% in their
// group, skewed towards low movie ids; one view per day, so a time split holds out the latest.
void TasteData(PgPool& pg) {
  constexpr int kUsers = 240, kMovies = 48;
  Users(pg, kUsers);
  pg.Exec(
      "INSERT INTO movies (id, title, duration_s) SELECT g, 'M' || g, 1000 FROM generate_series(1, $1::int) "
      "g",
      PgParams(kMovies));
  ml::SplitMix64 rng(3);
  std::string values;
  for (int u = 1; u <= kUsers; ++u) {
    for (int n = 0; n < 12; ++n) {
      // Skew: the square of a uniform draw favours low ids.
      const double x = rng.Unit();
      int movie = static_cast<int>(x * x * kMovies);  // 0..47
      if (rng.Unit() < 0.85) movie = movie - movie % 4 + u % 4;
      values += fmt::format(
          "{}({}, {}, 's{}-{}', '2026-01-01'::timestamptz + interval '{} day {} min', "
          "'2026-01-01'::timestamptz + interval '{} day {} min', 1000, true)",
          values.empty() ? "" : ",", u, movie + 1, u, n, n, u, n, u);
    }
  }
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed) "
      "VALUES "
      + values);
}

double Ndcg10(const boost::json::object& metrics, const char* model) {
  return metrics.at(model).as_object().at("ndcg@10").as_double();
}

TEST(TrainCliTest, AlsBeatsPopularityDeterministicAndPublished) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  TasteData(pg);
  const std::string options =
      " --min-user-interactions 3 --min-movie-interactions 2 --factors 8 --iterations 8 --regularization 1"
      " --alpha 5 --ease-regularization 20 --threads 2 --seed 7 --tune off";
  const auto dir1 = std::filesystem::temp_directory_path() / ("cinerec-train-" + testing::UniqueName());
  const auto dir2 = std::filesystem::temp_directory_path() / ("cinerec-train-" + testing::UniqueName());

  const auto first = Cinerec(config, "train" + options + " --neighbors 5 --output " + dir1.string());
  ASSERT_EQ(first.code, 0) << first.output;
  std::cout << first.output;
  EXPECT_NE(first.output.find("validation ndcg@10"), std::string::npos);
  EXPECT_NE(first.output.find("published it as LATEST"), std::string::npos);
  const auto manifest = boost::json::parse(testing::ReadWholeFile(dir1 / "manifest.json")).as_object();
  const auto& metrics = manifest.at("metrics").as_object();
  const double popularity = Ndcg10(metrics, "popularity");
  EXPECT_GT(popularity, 0.0);
  EXPECT_GT(Ndcg10(metrics, "als"), 1.5 * popularity);
  EXPECT_GT(Ndcg10(metrics, "ease"), 1.5 * popularity);
  EXPECT_EQ(manifest.at("data").as_object().at("users").as_int64(), 240);
  const auto best_iteration = manifest.at("parameters").at("iterations").as_int64();
  EXPECT_GE(best_iteration, 1);
  EXPECT_LE(best_iteration, 8);
  EXPECT_DOUBLE_EQ(manifest.at("parameters").at("signals").at("rewatch_confidence").to_number<double>(), 0.5);

  // In S3: LATEST is this version, and it loads back with the same factors as the files.
  auto stores = Stores::Connect(config);
  modelstore::ModelStore store(*stores.s3);
  const auto version = store.Latest();
  ASSERT_TRUE(version);
  EXPECT_EQ(manifest.at("version").as_string(), *version);
  const auto loaded = store.Load(*version);
  EXPECT_EQ(loaded.Get("item_factors").dim0(), 48u);
  EXPECT_EQ(modelstore::Artefact::ReadFile(dir1 / "item_factors.bin").dim1(), 8u);

  // Same seed, files only: bit-identical artefacts.
  const auto second =
      Cinerec(config, "train" + options + " --neighbors 5 --no-publish --output " + dir2.string());
  ASSERT_EQ(second.code, 0) << second.output;
  for (const char* file : {"user_factors.bin", "item_factors.bin", "neighbor_ids.bin", "popularity.bin"})
    EXPECT_EQ(testing::ReadWholeFile(dir1 / file), testing::ReadWholeFile(dir2 / file)) << file;
  EXPECT_EQ(store.Latest(), version);  // not published

  const auto evaluate = Cinerec(config, "evaluate" + options + " --split random --k 5,10 --ease off");
  ASSERT_EQ(evaluate.code, 0) << evaluate.output;
  EXPECT_NE(evaluate.output.find("popularity      5"), std::string::npos) << evaluate.output;
  EXPECT_NE(evaluate.output.find("als            10"), std::string::npos) << evaluate.output;
  EXPECT_EQ(evaluate.output.find("ease "), std::string::npos) << evaluate.output;

  // Signal weights are options: switching re-watches off changes what is read; a negative weight is refused.
  const auto no_rewatch = Cinerec(config, "evaluate" + options + " --ease off --rewatch-confidence 0");
  ASSERT_EQ(no_rewatch.code, 0) << no_rewatch.output;
  EXPECT_NE(no_rewatch.output.find("(0 re-watches, 1032 dropped)"), std::string::npos) << no_rewatch.output;
  const auto negative = Cinerec(config, "evaluate --like-confidence -1");
  EXPECT_EQ(negative.code, 1) << negative.output;
  EXPECT_NE(negative.output.find("like_confidence"), std::string::npos) << negative.output;

  const auto empty = Cinerec(config, "evaluate --since 2030-01-01");
  EXPECT_EQ(empty.code, 3) << empty.output;
  EXPECT_NE(empty.output.find("nothing to train on"), std::string::npos) << empty.output;
  std::filesystem::remove_all(dir1);
  std::filesystem::remove_all(dir2);
}

}  // namespace
}  // namespace cinerec
