// ModelStore against the test stack's real S3 server: upload, publish and load back bit-identically; the
// objects as another S3 client (the AWS CLI) sees them; and `cinerec models` run as a process.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "modelstore/model_store.h"
#include "storage/s3/s3_digest.h"
#include "storage/s3/s3_object_store.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace cinerec::modelstore {
namespace {

using testing::RunAwsCli;
using testing::RunShell;
using testing::ShellQuote;

ModelBundle SampleBundle(int seed) {
  ModelBundle bundle;
  bundle.data() = {{"users", 3}, {"movies", 1000}};
  bundle.parameters() = {{"factors", 64}, {"seed", seed}};
  bundle.metrics() = {{"ndcg@10", 0.25}};
  std::vector<float> factors(1000 * 64);
  for (std::size_t i = 0; i < factors.size(); ++i)
    factors[i] =
        static_cast<float>((i * 2654435761u + static_cast<std::size_t>(seed)) % 10007) / 10007.0f - 0.5f;
  std::vector<std::int64_t> ids(1000);
  for (std::size_t i = 0; i < ids.size(); ++i)
    ids[i] = static_cast<std::int64_t>(i * 7 + 1);
  const std::vector<std::uint64_t> offsets = {0, 2, 3};
  const std::vector<float> scores = {0.9f, 0.5f, 0.7f};
  bundle.Add(Artefact::Matrix<float>("item_factors", 1000, 64, factors));
  bundle.Add(Artefact::Vector<std::int64_t>("item_ids", ids));
  bundle.Add(Artefact::Ragged<float>("neighbor_scores", offsets, scores));
  return bundle;
}

class ModelStoreIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::StackConfig();
    config_.s3.bucket = "cinerec-" + testing::UniqueName();
    objects_ = std::make_unique<S3ObjectStore>(config_.s3);
    objects_->CreateBucket();
    store_ = std::make_unique<ModelStore>(*objects_);
  }
  void TearDown() override {
    try {
      for (const ObjectInfo& info : objects_->List(""))
        objects_->Delete(info.key);
    } catch (const std::exception&) {  // best effort: a courtesy to the shared stack
    }
  }
  // `cinerec models ARGS` against this test's bucket.
  std::pair<int, std::string> Cli(const std::string& args) {
    return RunShell("CINEREC_S3_BUCKET=" + ShellQuote(config_.s3.bucket) + " CINEREC_LOG_LEVEL=warn "
                    + ShellQuote(CINEREC_BINARY) + " models " + args);
  }

  Config config_;
  std::unique_ptr<S3ObjectStore> objects_;
  std::unique_ptr<ModelStore> store_;
};

TEST_F(ModelStoreIntegrationTest, UploadPublishAndLoadBackBitIdentically) {
  const ModelBundle bundle = SampleBundle(1);
  store_->Upload(bundle);
  EXPECT_EQ(store_->Latest(), std::nullopt);
  store_->Publish(bundle.version());
  EXPECT_EQ(store_->Latest(), bundle.version());

  S3ObjectStore fresh(config_.s3);  // another process's view: nothing cached
  const ModelBundle loaded = ModelStore(fresh).Load(bundle.version());
  ASSERT_EQ(loaded.artefacts().size(), bundle.artefacts().size());
  for (const auto& [name, artefact] : bundle.artefacts())
    EXPECT_EQ(loaded.Get(name).Encoded(), artefact.Encoded()) << name;
  EXPECT_EQ(loaded.BuildManifest(), bundle.BuildManifest());
}

TEST_F(ModelStoreIntegrationTest, TheAwsCliSeesTheLayout) {
  const ModelBundle bundle = SampleBundle(2);
  store_->Upload(bundle);
  store_->Publish(bundle.version());
  const std::string v = bundle.version();
  const std::string root = "s3://" + config_.s3.bucket + "/models/";

  auto [status, output] = RunAwsCli(config_.s3, "s3 ls --recursive " + ShellQuote(root));
  ASSERT_EQ(status, 0) << output;
  for (const auto& file : bundle.BuildManifest().files)
    EXPECT_NE(output.find(std::to_string(file.size) + " models/" + v + "/" + file.file), std::string::npos)
        << output;
  EXPECT_NE(output.find("models/" + v + "/manifest.json"), std::string::npos) << output;
  EXPECT_NE(output.find("models/LATEST"), std::string::npos) << output;
  EXPECT_NE(output.find("models/HISTORY"), std::string::npos) << output;

  std::tie(status, output) = RunAwsCli(config_.s3, "s3 cp " + ShellQuote(root + "LATEST") + " -");
  ASSERT_EQ(status, 0) << output;
  EXPECT_EQ(output, v + "\n");

  // An artefact downloaded by the AWS CLI has the SHA-256 the manifest records.
  std::tie(status, output) =
      RunAwsCli(config_.s3, "s3 cp " + ShellQuote(root + v + "/item_factors.bin") + " - | sha256sum");
  ASSERT_EQ(status, 0) << output;
  EXPECT_EQ(output.substr(0, 64), bundle.BuildManifest().Find("item_factors")->sha256) << output;

  std::tie(status, output) = RunAwsCli(config_.s3, "s3 cp " + ShellQuote(root + v + "/manifest.json") + " -");
  ASSERT_EQ(status, 0) << output;
  EXPECT_EQ(Manifest::Parse(output, "aws"), bundle.BuildManifest());
}

TEST_F(ModelStoreIntegrationTest, CommandLinePublishesRollsBackAndRetains) {
  const ModelBundle a = SampleBundle(3);
  store_->Upload(a);
  ModelBundle b(NewVersionId(std::chrono::system_clock::now() + std::chrono::seconds(1), 0xb), "");
  const std::vector<std::int64_t> ids = {1, 2};
  b.Add(Artefact::Vector<std::int64_t>("item_ids", ids));
  store_->Upload(b);

  auto [status, output] = Cli("publish " + a.version());
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("Published " + a.version()), std::string::npos) << output;
  std::tie(status, output) = Cli("publish " + b.version());
  EXPECT_NE(output.find("was " + a.version()), std::string::npos) << output;

  std::tie(status, output) = Cli("list");
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("VERSION"), std::string::npos) << output;
  EXPECT_NE(output.find(b.version()), std::string::npos) << output;
  EXPECT_NE(output.find("LATEST"), std::string::npos) << output;
  EXPECT_NE(output.find("previous (rollback target)"), std::string::npos) << output;

  std::tie(status, output) = Cli("show " + a.version());
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("\"ndcg@10\""), std::string::npos) << output;

  std::tie(status, output) = Cli("rollback");
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("from " + b.version() + " to " + a.version()), std::string::npos) << output;
  EXPECT_EQ(store_->Latest(), a.version());

  std::tie(status, output) = Cli("rollback");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("no earlier published version"), std::string::npos) << output;

  std::tie(status, output) = Cli("retain 1");
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("Kept 2 version(s), deleted 0"), std::string::npos)
      << "b is newest, a is LATEST: " << output;

  std::tie(status, output) = Cli("show 20990101T000000Z-000000");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("not found"), std::string::npos) << output;

  std::tie(status, output) = RunShell("CINEREC_S3_BUCKET=cinerec-missing-" + testing::UniqueName() + " "
                                      + ShellQuote(CINEREC_BINARY) + " models list");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("NoSuchBucket"), std::string::npos) << output;
  EXPECT_NE(output.find("run `cinerec migrate`"), std::string::npos) << output;
}

}  // namespace
}  // namespace cinerec::modelstore
