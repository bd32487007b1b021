// S3ObjectStore while its server goes away and comes back (the serial fault-test binary: this test stops the
// test stack's S3 proxy for a few seconds).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "common/config.h"
#include "common/errors.h"
#include "storage/s3/s3_object_store.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Restarts the store if the test fails while it is stopped: other tests share the stack.
class StoppedStore {
 public:
  explicit StoppedStore(std::string name) : name_(std::move(name)) { testing::StopStore(name_); }
  ~StoppedStore() {
    if (stopped_) {
      try {
        testing::StartStore(name_);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
  }
  StoppedStore(const StoppedStore&) = delete;
  StoppedStore& operator=(const StoppedStore&) = delete;
  void Start() {
    testing::StartStore(name_);
    stopped_ = false;
  }

 private:
  std::string name_;
  bool stopped_ = true;
};

TEST(S3ObjectStoreFaultTest, FailsFastWhileTheServerIsDownAndRecoversWhenItIsBack) {
  S3Config config = testing::StackConfig().s3;
  config.bucket = "cinerec-" + testing::UniqueName();
  config.timeout = milliseconds(2000);
  S3ObjectStore store(config);
  store.CreateBucket();
  store.Put("before", "written before the outage", "text/plain");  // leaves a pooled keep-alive connection

  StoppedStore outage("s3");
  for (const char* operation : {"Put", "Get", "Ping"}) {
    const auto start = steady_clock::now();
    try {
      if (std::string(operation) == "Put") store.Put("during", "x", "text/plain");
      if (std::string(operation) == "Get") store.Get("before");
      if (std::string(operation) == "Ping") store.Ping();
      ADD_FAILURE() << operation << " succeeded with the server stopped";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.store(), "s3");
      std::printf("[ measure  ] %s with the server down: %s\n", operation, e.what());
    }
    const auto elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    EXPECT_LT(elapsed, config.timeout) << operation << " must fail within the timeout";
  }

  outage.Start();
  const auto start = steady_clock::now();
  EXPECT_NO_THROW(store.Ping());
  const auto first_call = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  std::printf("[ measure  ] first call after the restart: %lld ms\n",
              static_cast<long long>(first_call.count()));
  EXPECT_EQ(store.Get("before"), "written before the outage");
  EXPECT_NO_THROW(store.Put("after", "written after the outage", "text/plain"));
  EXPECT_EQ(store.Get("after"), "written after the outage");
}

}  // namespace
}  // namespace cinerec
