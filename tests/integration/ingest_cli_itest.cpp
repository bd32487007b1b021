// The `cinerec import` / `cinerec generate` binary: exit codes, messages and --if-empty.
#include <gtest/gtest.h>

#include <cstdio>

#include "app/stores.h"
#include "common/config.h"
#include "storage/postgres/pg_pool.h"
#include "support/cli_run.h"
#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

// The binary as a process (tests/support/cli_run.h).
testing::CliRun Cinerec(const Config& config, const std::string& args) {
  return testing::RunCinerec(config, args);
}

std::string Fixture(const std::string& name) {
  return std::string(CINEREC_SOURCE_DIR) + "/tests/fixtures/movielens/" + name;
}

TEST(IngestCliTest, ImportRefusalsErrorsAndIfEmpty) {
  auto config = testing::IsolatedConfig();
  auto first = Cinerec(config, "import " + Fixture("ml-1m"));
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("views +5"), std::string::npos) << first.output;

  auto again = Cinerec(config, "import " + Fixture("ml-1m"));
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("views +0"), std::string::npos) << again.output;

  auto refused = Cinerec(config, "import " + Fixture("ml-100k"));
  EXPECT_EQ(refused.code, 4) << refused.output;
  EXPECT_NE(refused.output.find("--remap-ids"), std::string::npos) << refused.output;

  auto bad = Cinerec(config, "import --remap-ids " + Fixture("ml-latest-bad"));
  EXPECT_EQ(bad.code, 3) << bad.output;
  EXPECT_NE(bad.output.find("ratings.csv:3:"), std::string::npos) << bad.output;

  auto skipped = Cinerec(config, "import --remap-ids --skip-bad-rows " + Fixture("ml-latest-bad"));
  EXPECT_EQ(skipped.code, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("1 malformed rows skipped"), std::string::npos) << skipped.output;

  auto generate = Cinerec(config, "generate --if-empty --users 10 --movies 10 --interactions 100");
  EXPECT_EQ(generate.code, 0) << generate.output;
  PgPool pg(config.postgres);
  EXPECT_EQ(pg.Exec("SELECT count(*) FROM movies WHERE extra->>'source' = 'synth'").GetInt(0, 0), 0);
}

TEST(IngestCliTest, GenerateIntoStoresAndAsCsv) {
  auto config = testing::IsolatedConfig();
  auto run =
      Cinerec(config, "generate --users 50 --movies 30 --interactions 1000 --seed 9 --end-time 1767225600");
  ASSERT_EQ(run.code, 0) << run.output;
  PgPool pg(config.postgres);
  EXPECT_EQ(pg.Exec("SELECT count(*) FROM views").GetInt(0, 0), 1000);
  EXPECT_EQ(pg.Exec("SELECT count(*) FROM users").GetInt(0, 0), 50);

  auto dir = std::string("/tmp/cinerec-gen-") + testing::UniqueName();
  auto csv = Cinerec(config, "generate --users 50 --movies 30 --interactions 1000 --seed 9 --out-dir " + dir);
  ASSERT_EQ(csv.code, 0) << csv.output;
  auto again = Cinerec(testing::IsolatedConfig(), "import " + dir);
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("1,000 ratings"), std::string::npos) << again.output;
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace cinerec
