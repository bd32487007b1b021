#pragma once
// The ObjectStore contract as a typed, parameterised GoogleTest suite, run against every implementation so
// the fake cannot drift from the real adapter. Include it in a test file and instantiate it with a backend
// type:
//
//   struct MyBackend {
//     static constexpr int kListPageSize = 3;           // page size the store was made with (for paging
//     tests) static std::unique_ptr<ObjectStore> Make();        // a fresh, empty store (its bucket created)
//     static void Cleanup(ObjectStore& store);          // best-effort removal of what a test left
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, ObjectStoreContract, MyBackend);
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/s3/object_store.h"

namespace cinerec::contract {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::filesystem::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline std::string RandomBytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string data(size, '\0');
  for (char& c : data)
    c = static_cast<char>(byte(generator));
  return data;
}

// Every byte value, NULs included, a few times over.
inline std::string AllByteValues() {
  std::string data;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b)
      data.push_back(static_cast<char>(b));
  }
  return data;
}

inline std::vector<std::string> Keys(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const ObjectInfo& info : objects)
    keys.push_back(info.key);
  return keys;
}

// A scratch folder per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path()
            / ("cinerec-objstore-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cinerec::contract

namespace cinerec {

template <typename Backend>
class ObjectStoreContract : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Backend::Make(); }
  void TearDown() override {
    if (store_) Backend::Cleanup(*store_);
  }
  ObjectStore& store() { return *store_; }

  std::unique_ptr<ObjectStore> store_;
  contract::ScratchDir scratch_;
};

TYPED_TEST_SUITE_P(ObjectStoreContract);

TYPED_TEST_P(ObjectStoreContract, PutThenGetReturnsTheSameText) {
  this->store().Put("models/als/v1.txt", "hello, object store", "text/plain");
  EXPECT_EQ(this->store().Get("models/als/v1.txt"), "hello, object store");
}

TYPED_TEST_P(ObjectStoreContract, BinaryDataWithNulBytesRoundTrips) {
  const std::string data = contract::AllByteValues();
  this->store().Put("binary/all-bytes.bin", data);
  const auto got = this->store().Get("binary/all-bytes.bin");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size(), data.size());
  EXPECT_TRUE(*got == data);
}

TYPED_TEST_P(ObjectStoreContract, EmptyObjectRoundTrips) {
  this->store().Put("empty", "");
  EXPECT_EQ(this->store().Get("empty"), std::string());
  const auto info = this->store().Head("empty");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 0u);
}

TYPED_TEST_P(ObjectStoreContract, KeysWithSpecialCharactersRoundTripAndList) {
  const std::vector<std::string> keys = {
      "odd/a key with spaces.txt",
      "odd/plus+equals=ampersand&question?.txt",
      "odd/percent%20not-a-space",
      "odd/unicode-фильм-映画-🎬.bin",
      "odd/tilde~star*(parens)!'quote",
      "odd/colon:semicolon;comma,at@hash#",
      "odd/dots/../and/./segments",
      "odd//double-slash",
      "odd/control\x01"
      "char<xml>&amp;",
  };
  for (std::size_t i = 0; i < keys.size(); ++i)
    this->store().Put(keys[i], "value " + std::to_string(i));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(this->store().Get(keys[i]), "value " + std::to_string(i)) << keys[i];
    const auto info = this->store().Head(keys[i]);
    ASSERT_TRUE(info.has_value()) << keys[i];
    EXPECT_EQ(info->key, keys[i]);
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(contract::Keys(this->store().List("odd/")), sorted);
  EXPECT_EQ(contract::Keys(this->store().List("odd/plus+")), std::vector<std::string>{keys[1]});
  EXPECT_EQ(contract::Keys(this->store().List("odd/a key")), std::vector<std::string>{keys[0]});
}

TYPED_TEST_P(ObjectStoreContract, PutOverwrites) {
  this->store().Put("k", "first");
  this->store().Put("k", "second, longer");
  EXPECT_EQ(this->store().Get("k"), "second, longer");
  EXPECT_EQ(this->store().Head("k")->size, 14u);
}

TYPED_TEST_P(ObjectStoreContract, MissingKeysAreAbsentNotErrors) {
  EXPECT_EQ(this->store().Get("no/such/key"), std::nullopt);
  EXPECT_FALSE(this->store().Head("no/such/key").has_value());
  const auto target = this->scratch_.path() / "never-written";
  EXPECT_FALSE(this->store().GetToFile("no/such/key", target));
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(this->scratch_.path())) << "no temporary file left behind";
}

TYPED_TEST_P(ObjectStoreContract, HeadReportsSizeMd5EtagAndDate) {
  const std::string data = "The quick brown fox jumps over the lazy dog";
  this->store().Put("head/fox", data);
  const auto info = this->store().Head("head/fox");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->key, "head/fox");
  EXPECT_EQ(info->size, data.size());
  EXPECT_EQ(info->etag, "9e107d9d372bb6826bd81d3542a419d6");  // MD5 of the text, unquoted
  EXPECT_FALSE(info->last_modified.empty());
  EXPECT_NE(info->last_modified.find('T'), std::string::npos) << info->last_modified;  // ISO-8601
}

TYPED_TEST_P(ObjectStoreContract, DeleteRemovesAndMissingDeleteSucceeds) {
  this->store().Put("gone", "soon");
  this->store().Delete("gone");
  EXPECT_EQ(this->store().Get("gone"), std::nullopt);
  EXPECT_NO_THROW(this->store().Delete("gone"));
  EXPECT_NO_THROW(this->store().Delete("never/existed"));
}

TYPED_TEST_P(ObjectStoreContract, ListReturnsKeysUnderThePrefixInOrderWithSizes) {
  this->store().Put("movies/b", "bb");
  this->store().Put("movies/a", "a");
  this->store().Put("movies/c/deep", "ccc");
  this->store().Put("moviesX", "not under movies/");
  this->store().Put("users/a", "other");
  const auto listed = this->store().List("movies/");
  EXPECT_EQ(contract::Keys(listed), (std::vector<std::string>{"movies/a", "movies/b", "movies/c/deep"}));
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].size, 1u);
  EXPECT_EQ(listed[2].size, 3u);
  EXPECT_EQ(listed[1].etag, "21ad0bd836b90d08f4cf640b4c298e7c");  // MD5("bb")
  EXPECT_FALSE(listed[1].last_modified.empty());
  EXPECT_TRUE(this->store().List("nothing-here/").empty());
  EXPECT_EQ(this->store().List("").size(), 5u);
}

TYPED_TEST_P(ObjectStoreContract, ListFollowsContinuationTokensAcrossPages) {
  const int count = 2 * TypeParam::kListPageSize + 1;  // three pages, the last one short
  std::vector<std::string> expected;
  for (int i = 0; i < count; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "paged/%05d", i);
    expected.push_back(key);
  }
  for (auto it = expected.rbegin(); it != expected.rend(); ++it)
    this->store().Put(*it, "x");
  this->store().Put("pagedZ", "outside the prefix");
  EXPECT_EQ(contract::Keys(this->store().List("paged/")), expected);
}

TYPED_TEST_P(ObjectStoreContract, PutFileAndGetToFileRoundTripByteIdentical) {
  const auto source = this->scratch_.path() / "model.bin";
  const std::string data = contract::RandomBytes(300 * 1024 + 7, 42);
  contract::WriteFile(source, data);
  this->store().PutFile("files/model.bin", source);
  EXPECT_EQ(this->store().Head("files/model.bin")->size, data.size());
  EXPECT_TRUE(this->store().Get("files/model.bin") == data);

  const auto target = this->scratch_.path() / "downloaded.bin";
  contract::WriteFile(target, "old content to be replaced");
  ASSERT_TRUE(this->store().GetToFile("files/model.bin", target));
  EXPECT_TRUE(contract::ReadFile(target) == data);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(this->scratch_.path()))
    ++entries;
  EXPECT_EQ(entries, 2u) << "no temporary file left behind";
}

TYPED_TEST_P(ObjectStoreContract, PutFileOfAMissingFileThrowsFilesystemError) {
  EXPECT_THROW(this->store().PutFile("files/none", this->scratch_.path() / "does-not-exist"),
               std::filesystem::filesystem_error);
  EXPECT_FALSE(this->store().Head("files/none").has_value());
}

TYPED_TEST_P(ObjectStoreContract, EmptyKeyIsRejected) {
  EXPECT_THROW(this->store().Put("", "x"), std::invalid_argument);
  EXPECT_THROW(this->store().Get(""), std::invalid_argument);
  EXPECT_THROW(this->store().Delete(""), std::invalid_argument);
}

TYPED_TEST_P(ObjectStoreContract, CreateBucketIsIdempotentAndPingAnswers) {
  EXPECT_NO_THROW(this->store().CreateBucket());
  EXPECT_NO_THROW(this->store().CreateBucket());
  EXPECT_NO_THROW(this->store().Ping());
  EXPECT_EQ(this->store().StoreName(), "s3");
}

TYPED_TEST_P(ObjectStoreContract, ConcurrentCallersDoNotInterfere) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 8;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "concurrent/" + std::to_string(t) + "/" + std::to_string(i);
        const std::string value =
            contract::RandomBytes(1000 + static_cast<std::size_t>(i), static_cast<unsigned>(t * 100 + i));
        this->store().Put(key, value);
        if (this->store().Get(key) != value) ++mismatches;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(this->store().List("concurrent/").size(), static_cast<std::size_t>(kThreads * kPerThread));
}

REGISTER_TYPED_TEST_SUITE_P(
    ObjectStoreContract, PutThenGetReturnsTheSameText, BinaryDataWithNulBytesRoundTrips,
    EmptyObjectRoundTrips, KeysWithSpecialCharactersRoundTripAndList, PutOverwrites,
    MissingKeysAreAbsentNotErrors, HeadReportsSizeMd5EtagAndDate, DeleteRemovesAndMissingDeleteSucceeds,
    ListReturnsKeysUnderThePrefixInOrderWithSizes, ListFollowsContinuationTokensAcrossPages,
    PutFileAndGetToFileRoundTripByteIdentical, PutFileOfAMissingFileThrowsFilesystemError, EmptyKeyIsRejected,
    CreateBucketIsIdempotentAndPingAnswers, ConcurrentCallersDoNotInterfere);

}  // namespace cinerec
