// User features in S3 (docs/training.md, "User features"): `cinerec train` writes them after publishing,
// `cinerec export features` rewrites them from the published model; both checked with the AWS CLI and gunzip
// (an independent reader), against hand-computed profiles and the model's factor vectors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <sstream>

#include "app/stores.h"
#include "common/config.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using testing::RunAwsCli;
using testing::ShellQuote;

// 60 users who each complete 6 of 12 movies (4 of their own genre group), plus user 61 with a hand-made
// history below the minimum counts. Movie m has genre (m % 3) + 1: Action, Adventure or Animation.
void Data(PgPool& pg) {
  pg.Exec(
      "INSERT INTO users (id, email, display_name) SELECT g, 'u' || g || '@x.test', 'U' || g "
      "FROM generate_series(1, 61) g");
  pg.Exec(
      "INSERT INTO movies (id, title, duration_s) SELECT g, 'M' || g, 1000 FROM generate_series(1, 12) g");
  pg.Exec("INSERT INTO movie_genres (movie_id, genre_id) SELECT g, g % 3 + 1 FROM generate_series(1, 12) g");
  std::string values;
  for (int u = 1; u <= 60; ++u) {
    for (int n = 0; n < 6; ++n) {
      const int movie = n < 4 ? 3 * n + u % 3 + 1 : (u + n) % 12 + 1;
      values += fmt::format(
          "{}({}, {}, 's{}-{}', '2026-01-01'::timestamptz + interval '{} day', "
          "'2026-01-01'::timestamptz + interval '{} day', 1000, true)",
          values.empty() ? "" : ",", u, movie, u, n, n, n);
    }
  }
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed) "
      "VALUES "
      + values + " ON CONFLICT DO NOTHING");
  // User 61: movie 1 completed twice, movie 2 30% watched, movie 3 liked, movie 4 completed but disliked.
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed) "
      "VALUES (61, 1, 'a', '2026-01-05T00:00:00Z', '2026-01-05T02:00:00Z', 1000, true),"
      "       (61, 1, 'b', '2026-01-06T00:00:00Z', '2026-01-06T02:00:00Z', 950, false),"
      "       (61, 2, 'c', '2026-01-07T00:00:00Z', '2026-01-07T00:10:00Z', 300, false),"
      "       (61, 4, 'd', '2026-01-08T00:00:00Z', '2026-01-08T02:00:00Z', 1000, true)");
  pg.Exec(
      "INSERT INTO reactions (user_id, movie_id, value, event_time, event_id) "
      "VALUES (61, 3, 1, '2026-02-10T00:00:00Z', gen_random_uuid()),"
      "       (61, 4, -1, '2026-01-09T00:00:00Z', gen_random_uuid())");
}

std::string Aws(const Config& config, const std::string& args) {
  auto [status, output] = RunAwsCli(config.s3, args);
  EXPECT_EQ(status, 0) << args << ": " << output;
  return output;
}

std::string Url(const Config& config, const std::string& key) {
  return "s3://" + config.s3.bucket + "/" + key;
}

// Every part of the feature set the manifest lists, decompressed by gunzip, concatenated.
std::string Lines(const Config& config, const boost::json::object& manifest) {
  std::string all;
  for (const auto& part : manifest.at("parts").as_array())
    all += Aws(
        config,
        "s3 cp " + ShellQuote(Url(config, "features/2026-03-01/" + std::string(part.at("file").as_string())))
            + " - | gunzip");
  return all;
}

boost::json::object UserLine(const std::string& lines, std::int64_t user) {
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    auto object = boost::json::parse(line).as_object();
    if (object.at("user_id").as_int64() == user) return object;
  }
  ADD_FAILURE() << "no line for user " << user;
  return {};
}

TEST(FeaturesCliTest, TrainWritesFeaturesAndExportRewritesThem) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  Data(pg);
  const std::string window = " --until 2026-03-01T00:00:00Z";
  const auto train = testing::RunCinerec(
      config, "train --factors 4 --iterations 3 --ease off --threads 2 --min-movie-interactions 2" + window);
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_NE(train.output.find("user features: 61 users (60 with factors)"), std::string::npos)
      << train.output;

  const std::string listing = Aws(config, "s3 ls " + ShellQuote(Url(config, "features/2026-03-01/")));
  for (const char* file : {"_manifest.json", "part-00000.jsonl.gz", "schema.json"})
    EXPECT_NE(listing.find(file), std::string::npos) << listing;
  const auto manifest =
      boost::json::parse(
          Aws(config, "s3 cp " + ShellQuote(Url(config, "features/2026-03-01/_manifest.json")) + " -"))
          .as_object();
  auto stores = Stores::Connect(config);
  modelstore::ModelStore store(*stores.s3);
  const auto version = store.Latest();
  ASSERT_TRUE(version);
  EXPECT_EQ(manifest.at("model_version").as_string(), *version);
  EXPECT_EQ(manifest.at("rows").as_int64(), 61);
  EXPECT_EQ(manifest.at("factors").as_int64(), 4);
  EXPECT_EQ(manifest.at("as_of").as_string(), "2026-03-01T00:00:00.000Z");
  const auto schema =
      boost::json::parse(
          Aws(config, "s3 cp " + ShellQuote(Url(config, "features/2026-03-01/schema.json")) + " -"))
          .as_object();
  EXPECT_EQ(schema.at("genres").as_array().at(0).as_string(), "Action");

  const std::string lines = Lines(config, manifest);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 61);
  // User 61, by hand: 4 movies, 4 sessions of which 3 complete (movie 1 twice, 95% counts), a like and a
  // dislike; positive = movie 1 (Adventure) and movie 3 (liked, Action); movie 4 is disliked.
  const auto u61 = UserLine(lines, 61);
  EXPECT_TRUE(u61.at("factors").is_null());  // below the minimum counts: not in the model
  EXPECT_EQ(u61.at("movies").as_int64(), 4);
  EXPECT_EQ(u61.at("views").as_int64(), 4);
  EXPECT_EQ(u61.at("completed_views").as_int64(), 3);
  EXPECT_EQ(u61.at("likes").as_int64(), 1);
  EXPECT_EQ(u61.at("dislikes").as_int64(), 1);
  EXPECT_EQ(u61.at("positive_movies").as_int64(), 2);
  const auto& affinity = u61.at("genre_affinity").as_array();
  ASSERT_EQ(affinity.size(), schema.at("genres").as_array().size());
  EXPECT_DOUBLE_EQ(affinity.at(0).to_number<double>(), 0.5);  // Action
  EXPECT_DOUBLE_EQ(affinity.at(1).to_number<double>(), 0.5);  // Adventure
  EXPECT_DOUBLE_EQ(affinity.at(2).to_number<double>(), 0.0);  // Animation
  EXPECT_EQ(u61.at("first_interaction_at").as_string(), "2026-01-05T00:00:00.000Z");
  EXPECT_EQ(u61.at("last_interaction_at").as_string(), "2026-02-10T00:00:00.000Z");
  EXPECT_DOUBLE_EQ(u61.at("days_since_last").to_number<double>(), 19.0);

  // A modelled user's vector is the model's row, exactly (floats are printed in round-trip form).
  const auto model = store.Load(*version);
  const auto ids = model.Get("user_ids").Values<std::int64_t>();
  const auto factors = model.Get("user_factors").Values<float>();
  const auto row = static_cast<std::size_t>(std::find(ids.begin(), ids.end(), 7) - ids.begin());
  ASSERT_LT(row, ids.size());
  const auto line7 = UserLine(lines, 7);
  const auto& u7 = line7.at("factors").as_array();
  ASSERT_EQ(u7.size(), 4u);
  for (std::size_t f = 0; f < 4; ++f)
    EXPECT_EQ(static_cast<float>(u7[f].to_number<double>()), factors[row * 4 + f]) << f;

  // Export from the published model: the same lines, now in parts of 25 users.
  const auto exported = testing::RunCinerec(config, "export features --rows-per-part 25" + window);
  ASSERT_EQ(exported.code, 0) << exported.output;
  const auto manifest2 =
      boost::json::parse(
          Aws(config, "s3 cp " + ShellQuote(Url(config, "features/2026-03-01/_manifest.json")) + " -"))
          .as_object();
  EXPECT_EQ(manifest2.at("parts").as_array().size(), 3u);
  EXPECT_EQ(Lines(config, manifest2), lines);

  const auto unknown = testing::RunCinerec(config, "export features --version 20200101T000000Z-000000");
  EXPECT_EQ(unknown.code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("20200101T000000Z-000000"), std::string::npos) << unknown.output;
  const auto no_features = testing::RunCinerec(
      config,
      "train --no-features --factors 4 --iterations 2 --ease off --min-movie-interactions 2" + window);
  ASSERT_EQ(no_features.code, 0) << no_features.output;
  EXPECT_EQ(no_features.output.find("user features:"), std::string::npos) << no_features.output;
}

}  // namespace
}  // namespace cinerec
