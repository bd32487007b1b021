// The ObjectStore contract on the in-memory fake, and the fake's own outage switch.
#include "storage/s3/in_memory_object_store.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "storage/s3/object_store_contract.h"

namespace cinerec {
namespace {

struct InMemoryBackend {
  static constexpr int kListPageSize = 1000;  // the fake does not page: 2001 keys still come back in order
  static std::unique_ptr<ObjectStore> Make() { return std::make_unique<InMemoryObjectStore>(); }
  static void Cleanup(ObjectStore&) {}
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, ObjectStoreContract, InMemoryBackend);

namespace {

TEST(InMemoryObjectStoreTest, EveryCallThrowsStoreErrorWhileUnavailable) {
  InMemoryObjectStore store;
  store.Put("k", "v");
  store.SetAvailable(false);
  contract::ScratchDir scratch;
  const auto file = scratch.path() / "f";
  contract::WriteFile(file, "data");
  EXPECT_THROW(store.Ping(), StoreError);
  EXPECT_THROW(store.CreateBucket(), StoreError);
  EXPECT_THROW(store.Put("k", "w"), StoreError);
  EXPECT_THROW(store.PutFile("k", file), StoreError);
  EXPECT_THROW(store.Get("k"), StoreError);
  EXPECT_THROW(store.GetToFile("k", scratch.path() / "g"), StoreError);
  EXPECT_THROW(store.Head("k"), StoreError);
  EXPECT_THROW(store.List(""), StoreError);
  EXPECT_THROW(store.Delete("k"), StoreError);
  try {
    store.Get("k");
  } catch (const StoreError& e) {
    EXPECT_EQ(e.store(), "s3");
  }

  store.SetAvailable(true);
  EXPECT_EQ(store.Get("k"), "v") << "an outage loses nothing";
}

}  // namespace
}  // namespace cinerec
