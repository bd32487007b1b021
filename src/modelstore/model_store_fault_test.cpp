// ModelStore when S3 fails part-way: a wrapper lets the first N writes through and then fails every call,
// as a server that goes down mid-publish. For every N, the published state is the old one or the new one,
// never a mix, and HISTORY stays consistent with LATEST.
#include <gtest/gtest.h>

#include <chrono>

#include "common/errors.h"
#include "modelstore/model_store.h"
#include "storage/s3/in_memory_object_store.h"

namespace cinerec::modelstore {
namespace {

// Writes (Put, PutFile, Delete) succeed until `budget` is spent; from then on every call throws StoreError.
class FailingObjectStore final : public ObjectStore {
 public:
  explicit FailingObjectStore(InMemoryObjectStore& inner) : inner_(inner) {}
  void FailAfterWrites(int budget) { budget_ = budget; }
  void Heal() { budget_ = -1; }

  void CreateBucket() override { inner_.CreateBucket(); }
  void Put(const std::string& key, std::string_view data, const std::string& type) override {
    Write();
    inner_.Put(key, data, type);
  }
  void PutFile(const std::string& key, const std::filesystem::path& file) override {
    Write();
    inner_.PutFile(key, file);
  }
  std::optional<std::string> Get(const std::string& key) override {
    Read();
    return inner_.Get(key);
  }
  bool GetToFile(const std::string& key, const std::filesystem::path& file) override {
    Read();
    return inner_.GetToFile(key, file);
  }
  std::optional<ObjectInfo> Head(const std::string& key) override {
    Read();
    return inner_.Head(key);
  }
  std::vector<ObjectInfo> List(const std::string& prefix) override {
    Read();
    return inner_.List(prefix);
  }
  void Delete(const std::string& key) override {
    Write();
    inner_.Delete(key);
  }
  void Ping() override { Read(); }

 private:
  void Read() {
    if (budget_ == 0) throw StoreError("s3", "connection refused (injected)");
  }
  void Write() {
    Read();
    if (budget_ > 0) --budget_;
  }
  InMemoryObjectStore& inner_;
  int budget_ = -1;  // -1 = no failure
};

ModelBundle Bundle(int minute) {
  const auto version =
      NewVersionId(std::chrono::system_clock::from_time_t(1795539000 + minute * 60), 0x200000u + minute);
  ModelBundle bundle(version, VersionCreatedAt(version));
  const std::vector<float> factors(6, static_cast<float>(minute));
  const std::vector<std::int64_t> ids = {1, 2};
  bundle.Add(Artefact::Matrix<float>("item_factors", 2, 3, factors));
  bundle.Add(Artefact::Vector<std::int64_t>("item_ids", ids));
  bundle.Add(Artefact::Vector<std::int64_t>("user_ids", ids));
  return bundle;
}

TEST(ModelStoreFaultTest, UploadAndPublishFailingAtEveryWriteLeaveTheOldModelPublished) {
  int failures = 0;
  for (int budget = 0;; ++budget) {
    InMemoryObjectStore memory;
    FailingObjectStore objects(memory);
    ModelStore store(objects);
    const auto old_bundle = Bundle(1);
    store.Upload(old_bundle);
    store.Publish(old_bundle.version());
    const auto bundle = Bundle(2);

    objects.FailAfterWrites(budget);
    bool completed = true;
    try {
      store.Upload(bundle);
      store.Publish(bundle.version());
    } catch (const StoreError&) {
      completed = false;
    }
    objects.Heal();
    const auto latest = store.Latest();
    ASSERT_TRUE(latest);
    if (completed) {
      // The budget covered every write: the new model is out, and no failure was needed to get here.
      EXPECT_EQ(*latest, bundle.version());
      EXPECT_GT(failures, 0);
      break;
    }
    ++failures;
    EXPECT_EQ(*latest, old_bundle.version()) << "failure after " << budget << " writes";
    EXPECT_EQ(store.History().back().version, old_bundle.version()) << budget;
    EXPECT_EQ(store.Load(old_bundle.version()).Get("item_factors"), old_bundle.Get("item_factors"));
    // The half-uploaded version is never taken for a complete one: publishing it is refused or, when every
    // file made it, it loads bit-identically.
    try {
      store.Publish(bundle.version());
      EXPECT_EQ(store.Load(bundle.version()).Get("item_factors"), bundle.Get("item_factors")) << budget;
    } catch (const ModelStoreError& e) {
      EXPECT_NE(std::string(e.what()).find(bundle.version()), std::string::npos) << e.what();
    }
    ASSERT_LT(budget, 100) << "never completed";
  }
  EXPECT_GE(failures, 5);  // 3 artefacts + manifest + HISTORY before LATEST
}

TEST(ModelStoreFaultTest, RollbackAndRetainFailingAtEveryWriteStayConsistent) {
  for (int budget = 0; budget < 20; ++budget) {
    InMemoryObjectStore memory;
    FailingObjectStore objects(memory);
    ModelStore store(objects);
    std::vector<std::string> versions;
    for (int minute = 1; minute <= 4; ++minute) {
      const auto bundle = Bundle(minute);
      store.Upload(bundle);
      store.Publish(bundle.version());
      versions.push_back(bundle.version());
    }
    objects.FailAfterWrites(budget);
    try {
      store.Rollback();
      store.Retain(1);
    } catch (const StoreError&) {
    }
    objects.Heal();
    const auto latest = store.Latest();
    ASSERT_TRUE(latest);
    EXPECT_TRUE(*latest == versions[3] || *latest == versions[2]) << budget << ": " << *latest;
    EXPECT_EQ(store.History().back().version, *latest) << budget;
    EXPECT_NO_THROW(store.Load(*latest)) << budget;  // retention never deletes what LATEST names
  }
}

}  // namespace
}  // namespace cinerec::modelstore
