#include "recommend/model_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "modelstore/errors.h"
#include "modelstore/manifest.h"
#include "modelstore/model_store.h"
#include "recommend/recommend_test_support.h"
#include "storage/s3/in_memory_object_store.h"

namespace cinerec::recommend {
namespace {

constexpr const char* kV1 = "20260101T000000Z-000001";
constexpr const char* kV2 = "20260102T000000Z-000002";
constexpr const char* kV3 = "20260103T000000Z-000003";

// A loader that makes a one-item FakeModel, and refuses bundles carrying an artefact named "broken" (as the
// real model refuses a bundle failing its checks).
std::shared_ptr<const ServingModel> FakeLoader(const modelstore::ModelBundle& bundle) {
  if (bundle.Find("broken") != nullptr) throw modelstore::ModelStoreError("broken on purpose");
  return std::make_shared<testing::FakeModel>(bundle.version(),
                                              std::vector<testing::FakeItem>{{1, {1}, 1, {}, {}}});
}

class ModelRegistryTest : public ::testing::Test {
 protected:
  ModelRegistryTest()
      : dir_(std::filesystem::temp_directory_path()
             / ("cinerec-registry-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {}
  ~ModelRegistryTest() override { std::filesystem::remove_all(dir_); }

  void Publish(const std::string& version, bool broken = false) {
    modelstore::ModelBundle bundle(version, modelstore::VersionCreatedAt(version));
    const std::vector<float> popularity{1.0f};
    bundle.Add(modelstore::Artefact::Vector<float>("popularity", popularity));
    if (broken) bundle.Add(modelstore::Artefact::Vector<float>("broken", popularity));
    store_.Upload(bundle);
    store_.Publish(version);
  }
  ModelRegistry::Options Options(std::vector<std::string> pinned = {}) {
    ModelRegistry::Options options;
    options.poll_period = std::chrono::hours(1);  // tests poll by hand
    options.cache_dir = dir_;
    options.pinned = std::move(pinned);
    options.loader = FakeLoader;
    return options;
  }
  static std::string Version(const std::shared_ptr<const ServingModel>& model) {
    return model ? model->version() : "none";
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  InMemoryObjectStore objects_;
  modelstore::ModelStore store_{objects_};
};

TEST_F(ModelRegistryTest, NothingPublishedMeansNoModel) {
  ModelRegistry registry(objects_, Options());
  registry.LoadInitial();
  EXPECT_EQ(registry.Get("LATEST"), nullptr);
}

TEST_F(ModelRegistryTest, LoadsLatestAndSwapsWhenItMoves) {
  Publish(kV1);
  ModelRegistry registry(objects_, Options());
  registry.LoadInitial();
  const auto first = registry.Get("LATEST");
  EXPECT_EQ(Version(first), kV1);
  EXPECT_FALSE(registry.PollOnce()) << "LATEST did not move";
  Publish(kV2);
  EXPECT_TRUE(registry.PollOnce());
  EXPECT_EQ(Version(registry.Get("LATEST")), kV2);
  EXPECT_EQ(Version(first), kV1) << "a request holding the old model keeps it";
  EXPECT_EQ(registry.stats().loads, 2u);
}

TEST_F(ModelRegistryTest, RefusesABrokenVersionAndKeepsTheCurrentOne) {
  Publish(kV1);
  ModelRegistry registry(objects_, Options());
  registry.LoadInitial();
  Publish(kV2, /*broken=*/true);
  EXPECT_FALSE(registry.PollOnce());
  EXPECT_EQ(Version(registry.Get("LATEST")), kV1);
  EXPECT_FALSE(registry.PollOnce()) << "a refused version is not downloaded again";
  EXPECT_EQ(registry.stats().refused, 1u);
  Publish(kV3);
  EXPECT_TRUE(registry.PollOnce());
  EXPECT_EQ(Version(registry.Get("LATEST")), kV3);
}

TEST_F(ModelRegistryTest, RefusesACorruptedFile) {
  Publish(kV1);
  ModelRegistry registry(objects_, Options());
  registry.LoadInitial();
  Publish(kV2);
  const auto key = "models/" + std::string(kV2) + "/popularity.bin";
  auto bytes = *objects_.Get(key);
  bytes.back() ^= 1;
  objects_.Put(key, bytes);
  EXPECT_FALSE(registry.PollOnce());
  EXPECT_EQ(Version(registry.Get("LATEST")), kV1);
}

TEST_F(ModelRegistryTest, S3DownKeepsTheModelAndARestartUsesTheDiskCopy) {
  Publish(kV1);
  {
    ModelRegistry registry(objects_, Options());
    registry.LoadInitial();
    objects_.SetAvailable(false);
    EXPECT_FALSE(registry.PollOnce());
    EXPECT_EQ(Version(registry.Get("LATEST")), kV1);
    EXPECT_EQ(registry.stats().poll_failures, 1u);
  }
  ModelRegistry restarted(objects_, Options());
  restarted.LoadInitial();
  EXPECT_EQ(Version(restarted.Get("LATEST")), kV1);
  EXPECT_EQ(restarted.stats().disk_loads, 1u);
  objects_.SetAvailable(true);
  Publish(kV2);
  EXPECT_TRUE(restarted.PollOnce()) << "S3 back: polling resumes";
  EXPECT_EQ(Version(restarted.Get("LATEST")), kV2);
}

TEST_F(ModelRegistryTest, KeepsPinnedVersionsLoaded) {
  Publish(kV1);
  Publish(kV2);
  ModelRegistry registry(objects_, Options({kV1}));
  registry.LoadInitial();
  EXPECT_EQ(Version(registry.Get("LATEST")), kV2);
  EXPECT_EQ(Version(registry.Get(kV1)), kV1);
  EXPECT_EQ(Version(registry.Get(kV2)), kV2);
  EXPECT_EQ(registry.Get(kV3), nullptr);
}

TEST_F(ModelRegistryTest, ThePollerThreadSwapsByItself) {
  Publish(kV1);
  auto options = Options();
  options.poll_period = std::chrono::milliseconds(20);
  ModelRegistry registry(objects_, options);
  registry.LoadInitial();
  registry.Start();
  Publish(kV2);
  for (int i = 0; i < 500 && Version(registry.Get("LATEST")) != kV2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(Version(registry.Get("LATEST")), kV2);
}

}  // namespace
}  // namespace cinerec::recommend
