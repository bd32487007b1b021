// ModelStore on the in-memory ObjectStore: upload, publish, rollback, retention, and every refusal.
#include "modelstore/model_store.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <vector>

#include "common/errors.h"
#include "storage/s3/in_memory_object_store.h"
#include "storage/s3/s3_digest.h"

namespace cinerec::modelstore {
namespace {

// Version ids a minute apart, in creation order.
std::string VersionAt(int minute) {
  return NewVersionId(std::chrono::system_clock::from_time_t(1795539000 + minute * 60), 0x100000u + minute);
}

ModelBundle Bundle(int minute) {
  ModelBundle bundle(VersionAt(minute), VersionCreatedAt(VersionAt(minute)));
  bundle.metrics() = {{"ndcg@10", 0.1 * minute}};
  std::vector<float> factors(4 * 3);
  for (std::size_t i = 0; i < factors.size(); ++i)
    factors[i] = static_cast<float>(minute) + static_cast<float>(i) / 7.0f;
  const std::vector<std::int64_t> ids = {10, 20, 30, 40};
  const std::vector<std::uint64_t> offsets = {0, 1, 1, 3, 3};
  const std::vector<std::int32_t> neighbours = {2, 0, 1};
  bundle.Add(Artefact::Matrix<float>("item_factors", 4, 3, factors));
  bundle.Add(Artefact::Vector<std::int64_t>("item_ids", ids));
  bundle.Add(Artefact::Ragged<std::int32_t>("neighbors", offsets, neighbours));
  return bundle;
}

std::string ErrorOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const ModelStoreError& e) {
    return e.what();
  }
  return "(no ModelStoreError)";
}

class ModelStoreTest : public ::testing::Test {
 protected:
  std::string Uploaded(int minute) {
    const ModelBundle bundle = Bundle(minute);
    store_.Upload(bundle);
    return bundle.version();
  }
  std::vector<std::string> Versions() {
    std::vector<std::string> out;
    for (const auto& s : store_.List())
      out.push_back(s.version);
    return out;
  }

  InMemoryObjectStore objects_;
  ModelStore store_{objects_};
};

TEST_F(ModelStoreTest, UploadWritesTheLayoutAndLoadRoundTripsBitIdentically) {
  const ModelBundle bundle = Bundle(1);
  store_.Upload(bundle);
  const std::string v = bundle.version();
  for (const char* file : {"item_factors.bin", "item_ids.bin", "neighbors.bin", "manifest.json"})
    EXPECT_TRUE(objects_.Head("models/" + v + "/" + file)) << file;
  EXPECT_FALSE(objects_.Head("models/LATEST")) << "Upload does not publish";
  EXPECT_EQ(store_.Latest(), std::nullopt);

  const ModelBundle loaded = store_.Load(v);
  EXPECT_EQ(loaded.version(), v);
  EXPECT_EQ(loaded.metrics(), bundle.metrics());
  ASSERT_EQ(loaded.artefacts().size(), 3u);
  for (const auto& [name, artefact] : bundle.artefacts())
    EXPECT_EQ(loaded.Get(name).Encoded(), artefact.Encoded()) << name;
  EXPECT_EQ(store_.Show(v), bundle.BuildManifest());
  EXPECT_EQ(*objects_.Get("models/" + v + "/manifest.json"), bundle.BuildManifest().ToJson());
}

TEST_F(ModelStoreTest, VersionsAreImmutable) {
  const std::string v = Uploaded(1);
  EXPECT_NE(ErrorOf([&] { store_.Upload(Bundle(1)); }).find("already uploaded"), std::string::npos);
  EXPECT_TRUE(store_.Load(v).Find("item_ids"));
}

TEST_F(ModelStoreTest, PublishMovesLatestAndRollbackGoesBack) {
  const std::string a = Uploaded(1), b = Uploaded(2), c = Uploaded(3);
  EXPECT_EQ(store_.Publish(a).previous, std::nullopt);
  EXPECT_EQ(*objects_.Get("models/LATEST"), a + "\n");
  EXPECT_EQ(store_.Publish(b).previous, a);
  EXPECT_EQ(store_.Publish(c).previous, b);
  EXPECT_TRUE(store_.Publish(c).already_latest);
  EXPECT_EQ(store_.Latest(), c);

  const auto list = store_.List();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].version, c) << "newest first";
  EXPECT_TRUE(list[0].latest);
  EXPECT_TRUE(list[1].previous);
  EXPECT_TRUE(list[0].complete);
  EXPECT_EQ(list[0].files, 3u);

  RollbackResult r = store_.Rollback();
  EXPECT_EQ(r.from, c);
  EXPECT_EQ(r.to, b);
  EXPECT_EQ(store_.Latest(), b);
  r = store_.Rollback();
  EXPECT_EQ(r.to, a) << "a second rollback goes further back, not back and forth";
  EXPECT_NE(ErrorOf([&] { store_.Rollback(); }).find("no earlier published version"), std::string::npos);
  EXPECT_EQ(store_.Latest(), a) << "a refused rollback changes nothing";

  store_.Publish(c);
  EXPECT_EQ(store_.Rollback().to, a);
}

TEST_F(ModelStoreTest, RollbackBeforeAnyPublishIsRefused) {
  Uploaded(1);
  EXPECT_NE(ErrorOf([&] { store_.Rollback(); }).find("nothing is published yet"), std::string::npos);
}

TEST_F(ModelStoreTest, RollbackSkipsVersionsRemovedSince) {
  const std::string a = Uploaded(1), b = Uploaded(2), c = Uploaded(3);
  store_.Publish(a);
  store_.Publish(b);
  store_.Publish(c);
  objects_.Delete("models/" + b + "/item_ids.bin");
  const RollbackResult r = store_.Rollback();
  EXPECT_EQ(r.to, a);
  EXPECT_EQ(r.skipped, std::vector<std::string>{b});
}

TEST_F(ModelStoreTest, PublishRefusesIncompleteVersions) {
  const std::string v = Uploaded(1);
  const std::string good = Uploaded(2);
  store_.Publish(good);

  objects_.Delete("models/" + v + "/neighbors.bin");
  std::string message = ErrorOf([&] { store_.Publish(v); });
  EXPECT_NE(message.find("models/" + v + "/neighbors.bin is missing"), std::string::npos) << message;

  const std::string short_key = "models/" + v + "/neighbors.bin";
  const std::string full(Bundle(1).Get("neighbors").Encoded());
  objects_.Put(short_key, full.substr(0, full.size() - 4));
  message = ErrorOf([&] { store_.Publish(v); });
  EXPECT_NE(message.find("has " + std::to_string(full.size() - 4) + " bytes, the manifest says"),
            std::string::npos)
      << message;

  objects_.Delete("models/" + v + "/manifest.json");
  message = ErrorOf([&] { store_.Publish(v); });
  EXPECT_NE(message.find("incomplete: models/" + v + "/manifest.json is missing"), std::string::npos)
      << message;

  message = ErrorOf([&] { store_.Publish(VersionAt(9)); });
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  message = ErrorOf([&] { store_.Publish("../LATEST"); });
  EXPECT_NE(message.find("is not a version id"), std::string::npos) << message;

  EXPECT_EQ(store_.Latest(), good) << "refusals leave LATEST alone";
}

TEST_F(ModelStoreTest, LoadRefusesCorruptedFiles) {
  const std::string v = Uploaded(1);
  const std::string key = "models/" + v + "/item_factors.bin";
  std::string bytes = *objects_.Get(key);
  bytes[bytes.size() - 1] = static_cast<char>(bytes.back() ^ 0x10);
  objects_.Put(key, bytes);
  std::string message = ErrorOf([&] { store_.Load(v); });
  EXPECT_NE(message.find(key + ": checksum mismatch"), std::string::npos) << message;

  bytes.pop_back();
  objects_.Put(key, bytes);
  message = ErrorOf([&] { store_.Load(v); });
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;

  // A file that matches a forged manifest is still checked by its own header.
  Manifest forged = store_.Show(v);
  objects_.Put(key, "not an artefact at all");
  for (auto& f : forged.files) {
    if (f.name == "item_factors") {
      f.size = 22;
      f.sha256 = s3::Sha256Hex("not an artefact at all");
    }
  }
  objects_.Put("models/" + v + "/manifest.json", forged.ToJson());
  message = ErrorOf([&] { store_.Load(v); });
  EXPECT_NE(message.find(key + ": not a valid model artefact: truncated"), std::string::npos) << message;
}

TEST_F(ModelStoreTest, RetainKeepsTheNewestLatestAndPrevious) {
  std::vector<std::string> v;
  for (int minute = 1; minute <= 6; ++minute)
    v.push_back(Uploaded(minute));
  store_.Publish(v[0]);
  store_.Publish(v[1]);  // LATEST = v1, previous = v0: both old, both kept
  objects_.Put("models/" + VersionAt(0) + "/item_ids.bin", "an upload that never finished");

  const RetainResult r = store_.Retain(2);
  EXPECT_EQ(r.kept, (std::vector<std::string>{v[5], v[4], v[1], v[0]}));
  EXPECT_EQ(r.deleted, (std::vector<std::string>{v[3], v[2], VersionAt(0)}));
  EXPECT_EQ(Versions(), r.kept);
  EXPECT_TRUE(objects_.List("models/" + v[2] + "/").empty());
  EXPECT_TRUE(objects_.Head("models/LATEST"));
  EXPECT_TRUE(objects_.Head("models/HISTORY"));
  EXPECT_EQ(store_.Rollback().to, v[0]) << "the previous version survived retention";

  EXPECT_THROW(store_.Retain(0), std::invalid_argument);
  EXPECT_TRUE(store_.Retain(10).deleted.empty());
}

TEST_F(ModelStoreTest, IncompleteUploadsAreListedAsSuch) {
  objects_.Put("models/" + VersionAt(4) + "/item_ids.bin", "partial");
  objects_.Put("models/not-a-version/x", "ignored");
  const auto list = store_.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].complete);
  EXPECT_EQ(list[0].bytes, 7u);
  EXPECT_NE(ErrorOf([&] { store_.Show(VersionAt(4)); }).find("incomplete"), std::string::npos);
}

TEST_F(ModelStoreTest, HistoryIsReconciledWithLatestAfterACrash) {
  const std::string a = Uploaded(1), b = Uploaded(2), c = Uploaded(3);
  store_.Publish(a);
  store_.Publish(b);
  // Publish(c) killed between its two PUTs: HISTORY has c, LATEST still b.
  store_.Publish(c);
  objects_.Put("models/LATEST", b + "\n");
  auto history = store_.History();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history.back().version, b);
  EXPECT_EQ(store_.Rollback().to, a);

  // Rollback killed between its two PUTs: LATEST moved to a, HISTORY still ends with b.
  store_.Publish(b);
  objects_.Put("models/LATEST", a + "\n");
  history = store_.History();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history.back().version, a);
  EXPECT_FALSE(history.back().published_at.empty());
}

TEST_F(ModelStoreTest, DamagedPointersAreReported) {
  objects_.Put("models/LATEST", "garbage");
  EXPECT_NE(ErrorOf([&] { store_.Latest(); }).find("models/LATEST holds 'garbage'"), std::string::npos);
  objects_.Put("models/LATEST", VersionAt(1));
  objects_.Put("models/HISTORY", "[]");
  EXPECT_NE(ErrorOf([&] { store_.History(); }).find("models/HISTORY is damaged"), std::string::npos);
}

TEST_F(ModelStoreTest, AnOutageIsAStoreErrorAndLeavesLatestAlone) {
  const std::string a = Uploaded(1), b = Uploaded(2);
  store_.Publish(a);
  objects_.SetAvailable(false);
  EXPECT_THROW(store_.Publish(b), StoreError);
  EXPECT_THROW(store_.Upload(Bundle(3)), StoreError);
  objects_.SetAvailable(true);
  EXPECT_EQ(store_.Latest(), a);
}

TEST_F(ModelStoreTest, PrefixesKeepStoresApart) {
  ModelStore other(objects_, "other/models/");
  Uploaded(1);
  EXPECT_TRUE(other.List().empty());
  EXPECT_THROW(ModelStore(objects_, "no-slash"), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::modelstore
