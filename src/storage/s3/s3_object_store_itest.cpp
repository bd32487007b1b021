// S3ObjectStore against the test stack's S3 server (Swift + s3api, which verifies SigV4 signatures and
// payload hashes): the ObjectStore contract, then what only a real server can show — refused signatures,
// missing buckets, multipart uploads, and that other S3 clients (the AWS CLI) see what we wrote.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "common/config.h"
#include "common/errors.h"
#include "storage/s3/object_store_contract.h"
#include "storage/s3/s3_digest.h"
#include "storage/s3/s3_file.h"
#include "storage/s3/s3_object_store.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// The stack's S3 settings with a fresh bucket name.
S3Config FreshBucketConfig() {
  S3Config config = testing::StackConfig().s3;
  config.bucket = "cinerec-" + testing::UniqueName();
  return config;
}

void DeleteEverything(ObjectStore& store) {
  try {
    for (const ObjectInfo& info : store.List(""))
      store.Delete(info.key);
  } catch (const std::exception&) {
    // Best effort: an emptied bucket is only a courtesy to the shared test stack.
  }
}

struct SwiftBackend {
  static constexpr int kListPageSize = 3;  // small pages: continuation tokens with a handful of keys
  static std::unique_ptr<ObjectStore> Make() {
    auto store = std::make_unique<S3ObjectStore>(FreshBucketConfig(), S3StoreOptions{.list_page_size = 3});
    store->CreateBucket();
    return store;
  }
  static void Cleanup(ObjectStore& store) { DeleteEverything(store); }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Swift, ObjectStoreContract, SwiftBackend);

namespace {

using testing::RunAwsCli;

std::string ErrorOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "(no StoreError thrown)";
}

double MillisecondsSince(steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(steady_clock::now() - start).count();
}

class S3ObjectStoreIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = FreshBucketConfig();
    store_ = std::make_unique<S3ObjectStore>(config_);
    store_->CreateBucket();
  }
  void TearDown() override {
    if (store_) DeleteEverything(*store_);
  }

  S3Config config_;
  std::unique_ptr<S3ObjectStore> store_;
  contract::ScratchDir scratch_;
};

TEST_F(S3ObjectStoreIntegrationTest, WrongSecretKeyIsRefusedWithSignatureDoesNotMatch) {
  store_->Put("signed", "by the right key", "text/plain");
  S3Config wrong = config_;
  wrong.secret_key = "not-the-secret";
  S3ObjectStore impostor(wrong);
  for (const std::string& message :
       {ErrorOf([&] { impostor.Put("forged", "x", "text/plain"); }), ErrorOf([&] { impostor.Get("signed"); }),
        ErrorOf([&] { impostor.Ping(); })}) {
    EXPECT_NE(message.find("SignatureDoesNotMatch"), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 403"), std::string::npos) << message;
  }
  EXPECT_FALSE(store_->Head("forged").has_value());
}

TEST_F(S3ObjectStoreIntegrationTest, MissingBucketIsReportedAsNoSuchBucket) {
  S3Config missing = config_;
  missing.bucket = "cinerec-missing-" + testing::UniqueName();
  S3ObjectStore store(missing);
  for (const std::string& message : {ErrorOf([&] { store.Get("k"); }), ErrorOf([&] { store.Ping(); }),
                                     ErrorOf([&] { store.List(""); }), ErrorOf([&] { store.Delete("k"); })}) {
    EXPECT_NE(message.find("NoSuchBucket"), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 404"), std::string::npos) << message;
  }
}

TEST_F(S3ObjectStoreIntegrationTest, MultipartUploadAboveTheThresholdRoundTrips) {
  S3Config multipart = config_;
  multipart.multipart_threshold = 5u << 20;
  multipart.part_size = 5u << 20;
  S3ObjectStore store(multipart);
  const auto source = scratch_.path() / "model.bin";
  const std::string data = contract::RandomBytes((12u << 20) + 12345, 7);
  contract::WriteFile(source, data);

  auto start = steady_clock::now();
  store.PutFile("models/big.bin", source);
  const double upload_ms = MillisecondsSince(start);
  const auto info = store.Head("models/big.bin");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, data.size());
  EXPECT_TRUE(info->etag.ends_with("-3")) << "three parts, S3's multipart ETag: " << info->etag;

  const auto target = scratch_.path() / "downloaded.bin";
  start = steady_clock::now();
  ASSERT_TRUE(store.GetToFile("models/big.bin", target));
  const double download_ms = MillisecondsSince(start);
  const s3::OpenFile source_file = s3::OpenForReading(source);
  const s3::OpenFile target_file = s3::OpenForReading(target);
  ASSERT_EQ(target_file.size, data.size());
  EXPECT_EQ(s3::Sha256HexOfFile(target_file.fd.get(), 0, target_file.size),
            s3::Sha256HexOfFile(source_file.fd.get(), 0, source_file.size));
  std::printf("[ measure  ] 12 MiB multipart PutFile %.0f ms, GetToFile %.0f ms\n", upload_ms, download_ms);
  RecordProperty("upload_ms", static_cast<int>(upload_ms));
  RecordProperty("download_ms", static_cast<int>(download_ms));
}

TEST_F(S3ObjectStoreIntegrationTest, FailedMultipartUploadIsAborted) {
  // 1 MiB parts break S3's 5 MiB minimum: CompleteMultipartUpload fails with EntityTooSmall, after which
  // nothing of the upload may remain on the server.
  S3Config small_parts = config_;
  small_parts.multipart_threshold = 1u << 20;
  small_parts.part_size = 1u << 20;
  S3ObjectStore store(small_parts);
  const auto source = scratch_.path() / "parts.bin";
  contract::WriteFile(source, contract::RandomBytes((2u << 20) + 100, 3));
  const std::string message = ErrorOf([&] { store.PutFile("models/too-small-parts.bin", source); });
  EXPECT_NE(message.find("EntityTooSmall"), std::string::npos) << message;
  EXPECT_FALSE(store.Head("models/too-small-parts.bin").has_value());
  const auto [status, output] = RunAwsCli(config_, "s3api list-multipart-uploads --bucket " + config_.bucket);
  ASSERT_EQ(status, 0) << output;
  EXPECT_EQ(output.find("UploadId"), std::string::npos) << "upload left behind: " << output;
}

TEST_F(S3ObjectStoreIntegrationTest, ObjectsAreVisibleToTheAwsCli) {
  store_->Put("cli/visible.txt", "seen by aws", "text/plain");
  store_->Put("cli/with space+plus.txt", "odd key");
  const auto [status, output] = RunAwsCli(config_, "s3 ls --recursive s3://" + config_.bucket + "/");
  ASSERT_EQ(status, 0) << output;
  EXPECT_NE(output.find("11 cli/visible.txt"), std::string::npos) << output;
  EXPECT_NE(output.find("cli/with space+plus.txt"), std::string::npos) << output;
}

TEST_F(S3ObjectStoreIntegrationTest, SmallObjectLatencyWithReusedConnections) {
  constexpr int kCount = 50;
  const std::string value(1024, 'v');
  auto start = steady_clock::now();
  for (int i = 0; i < kCount; ++i)
    store_->Put("latency/" + std::to_string(i), value, "text/plain");
  const double put_ms = MillisecondsSince(start) / kCount;
  start = steady_clock::now();
  for (int i = 0; i < kCount; ++i)
    ASSERT_EQ(store_->Get("latency/" + std::to_string(i)), value);
  const double get_ms = MillisecondsSince(start) / kCount;
  std::printf("[ measure  ] 1 KiB PUT %.1f ms, GET %.1f ms (mean of %d, one thread)\n", put_ms, get_ms,
              kCount);
}

}  // namespace
}  // namespace cinerec
