#include "recommend/local_object_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/errors.h"

namespace cinerec::recommend {
namespace {

class LocalObjectStoreTest : public ::testing::Test {
 protected:
  ~LocalObjectStoreTest() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_ =
      std::filesystem::temp_directory_path() / ("cinerec-local-store-" + std::to_string(::getpid()));
};

TEST_F(LocalObjectStoreTest, PutGetHeadListDelete) {
  LocalObjectStore store(root_);
  store.Put("models/v1/a.bin", std::string("x\0y", 3));
  store.Put("models/v1/b.bin", "bb");
  store.Put("models/LATEST", "v1\n");
  EXPECT_EQ(*store.Get("models/v1/a.bin"), std::string("x\0y", 3));
  EXPECT_FALSE(store.Get("models/v2/a.bin").has_value());
  EXPECT_EQ(store.Head("models/v1/b.bin")->size, 2u);
  std::vector<std::string> keys;
  for (const auto& info : store.List("models/v1/"))
    keys.push_back(info.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"models/v1/a.bin", "models/v1/b.bin"}));
  store.Delete("models/v1/a.bin");
  store.Delete("models/v1/a.bin");  // deleting a missing key succeeds, as on S3
  EXPECT_FALSE(store.Head("models/v1/a.bin").has_value());
  EXPECT_NO_THROW(store.Ping());
}

TEST_F(LocalObjectStoreTest, RefusesKeysLeavingItsDirectory) {
  LocalObjectStore store(root_);
  EXPECT_THROW(store.Put("../escape", "x"), StoreError);
  EXPECT_THROW(store.Get("/etc/passwd"), StoreError);
  EXPECT_THROW(store.Get(""), StoreError);
}

}  // namespace
}  // namespace cinerec::recommend
