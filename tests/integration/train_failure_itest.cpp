// Failures around training on the test stack (issue 5, "Failure"): S3 unreachable while `cinerec train`
// publishes → a clear error and models/LATEST unchanged (checked with the AWS CLI); an artefact corrupted or
// truncated in the real S3 → the loader refuses it with a clear error, and publishing a truncated version is
// refused. The shared S3 is never stopped: the trainer is pointed at a closed port instead.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

void Data(PgPool& pg) {
  pg.Exec(
      "INSERT INTO users (id, email, display_name) SELECT g, 'u' || g || '@x.test', 'U' || g "
      "FROM generate_series(1, 40) g");
  pg.Exec(
      "INSERT INTO movies (id, title, duration_s) SELECT g, 'M' || g, 1000 FROM generate_series(1, 12) g");
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed) "
      "SELECT u, (u + n * 2) % 12 + 1, 's' || n, '2026-01-01'::timestamptz + n * interval '1 day', "
      "'2026-01-01'::timestamptz + n * interval '1 day', 1000, true "
      "FROM generate_series(1, 40) u, generate_series(0, 5) n");
}

constexpr const char* kFast = "train --factors 4 --iterations 2 --ease off --threads 1";

std::string AwsLatest(const Config& config) {
  auto [status, output] =
      RunAwsCli(config.s3, "s3 cp " + ShellQuote("s3://" + config.s3.bucket + "/models/LATEST") + " -");
  EXPECT_EQ(status, 0) << output;
  return output;
}

// Replaces an object through the AWS CLI (an independent client) with `bytes`.
void AwsPut(const Config& config, const std::string& key, const std::string& bytes) {
  const auto file = std::filesystem::temp_directory_path() / ("cinerec-corrupt-" + testing::UniqueName());
  std::ofstream(file, std::ios::binary) << bytes;
  auto [status, output] = RunAwsCli(config.s3, "s3 cp " + ShellQuote(file.string()) + " "
                                                   + ShellQuote("s3://" + config.s3.bucket + "/" + key));
  EXPECT_EQ(status, 0) << output;
  std::filesystem::remove(file);
}

std::string AwsGet(const Config& config, const std::string& key) {
  const auto file = std::filesystem::temp_directory_path() / ("cinerec-get-" + testing::UniqueName());
  auto [status, output] = RunAwsCli(config.s3, "s3 cp " + ShellQuote("s3://" + config.s3.bucket + "/" + key)
                                                   + " " + ShellQuote(file.string()));
  EXPECT_EQ(status, 0) << output;
  auto bytes = testing::ReadWholeFile(file);
  std::filesystem::remove(file);
  return bytes;
}

TEST(TrainFailureTest, S3UnreachableDuringTrainLeavesLatestAlone) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  Data(pg);
  const auto first = testing::RunCinerec(config, kFast);
  ASSERT_EQ(first.code, 0) << first.output;
  const std::string latest = AwsLatest(config);
  ASSERT_FALSE(latest.empty());

  Config down = config;
  down.s3.endpoint = "http://127.0.0.1:9";  // discard port: nothing listens, connections are refused
  down.s3.timeout = std::chrono::milliseconds(3000);
  const auto failed = testing::RunCinerec(down, kFast);
  EXPECT_EQ(failed.code, 1) << failed.output;
  EXPECT_NE(failed.output.find("read:"), std::string::npos) << "trained first: " << failed.output;
  EXPECT_NE(failed.output.find("s3:"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("is the store running?"), std::string::npos) << failed.output;
  EXPECT_EQ(failed.output.find("published it as LATEST"), std::string::npos) << failed.output;
  EXPECT_EQ(AwsLatest(config), latest);

  // The lock went with the failed process: the next run trains and publishes.
  const auto again = testing::RunCinerec(config, kFast);
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(AwsLatest(config), latest);
}

TEST(TrainFailureTest, CorruptedOrTruncatedArtefactsInS3AreRefused) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  Data(pg);
  const auto train = testing::RunCinerec(config, std::string(kFast) + " --no-features");
  ASSERT_EQ(train.code, 0) << train.output;
  std::string version = AwsLatest(config);
  ASSERT_FALSE(version.empty());
  version.pop_back();  // newline
  const std::string key = "models/" + version + "/user_factors.bin";
  const std::string original = AwsGet(config, key);
  ASSERT_GT(original.size(), 128u);

  // One flipped bit in the payload: the SHA-256 of the manifest and the artefact's CRC both disagree.
  std::string corrupted = original;
  corrupted[corrupted.size() - 3] = static_cast<char>(corrupted[corrupted.size() - 3] ^ 0x01);
  AwsPut(config, key, corrupted);
  auto load = testing::RunCinerec(config, "export features --version " + version);
  EXPECT_EQ(load.code, 1) << load.output;
  EXPECT_NE(load.output.find(key + ": checksum mismatch"), std::string::npos) << load.output;
  auto stores = Stores::Connect(config);
  modelstore::ModelStore store(*stores.s3);
  EXPECT_THROW(store.Load(version), modelstore::ModelStoreError);

  // Truncated: the loader and publishing both refuse, naming the file.
  AwsPut(config, key, original.substr(0, original.size() - 100));
  load = testing::RunCinerec(config, "export features --version " + version);
  EXPECT_EQ(load.code, 1) << load.output;
  EXPECT_NE(load.output.find(key), std::string::npos) << load.output;
  EXPECT_NE(load.output.find("the file is truncated"), std::string::npos) << load.output;
  const auto rollback_target = testing::RunCinerec(config, std::string(kFast) + " --no-features");
  ASSERT_EQ(rollback_target.code, 0) << rollback_target.output;
  const auto publish = testing::RunCinerec(config, "models publish " + version);
  EXPECT_EQ(publish.code, 1) << publish.output;
  EXPECT_NE(publish.output.find("user_factors.bin"), std::string::npos) << publish.output;
  EXPECT_NE(AwsLatest(config), version + "\n") << "the damaged version was not published";

  // Restored: loads bit-identically again.
  AwsPut(config, key, original);
  EXPECT_EQ(store.Load(version).Get("user_factors").Encoded(), original);
}

}  // namespace
}  // namespace cinerec
