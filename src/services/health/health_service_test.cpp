#include "services/health/health_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "common/errors.h"
#include "storage/store_probe.h"

namespace cinerec {
namespace {

class FakeProbe : public StoreProbe {
 public:
  explicit FakeProbe(std::string name) : name_(std::move(name)) {}
  std::string_view StoreName() const override { return name_; }
  void Ping() override {
    int now = ++concurrent_;
    max_concurrent_ = std::max(max_concurrent_.load(), now);
    ++pings_;
    std::this_thread::sleep_for(delay_);
    --concurrent_;
    if (down_) throw StoreError(name_, "connection refused");
  }
  std::string name_;
  std::atomic<bool> down_{false};
  std::chrono::milliseconds delay_{0};
  std::atomic<int> pings_{0}, concurrent_{0}, max_concurrent_{0};
};

TEST(ReadinessCheckerTest, ReportsEachStoreAndNamesTheDownOne) {
  FakeProbe pg("postgres"), redis("redis");
  redis.down_ = true;
  ReadinessChecker checker({&pg, &redis});
  auto statuses = checker.Check(std::chrono::milliseconds(1000));
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].ok);
  EXPECT_FALSE(statuses[1].ok);
  EXPECT_NE(statuses[1].error.find("connection refused"), std::string::npos);
  redis.down_ = false;
  EXPECT_TRUE(checker.Check(std::chrono::milliseconds(1000))[1].ok);  // a fresh ping, not a cached answer
}

TEST(ReadinessCheckerTest, HungStoreCountsAsDownAndNeverRunsTwicePings) {
  FakeProbe slow("s3");
  slow.delay_ = std::chrono::milliseconds(300);
  ReadinessChecker checker({&slow});
  std::vector<std::future<std::vector<StoreStatus>>> calls;
  for (int i = 0; i < 20; ++i)
    calls.push_back(
        std::async(std::launch::async, [&] { return checker.Check(std::chrono::milliseconds(50)); }));
  for (auto& call : calls) {
    auto statuses = call.get();
    EXPECT_FALSE(statuses[0].ok);
    EXPECT_NE(statuses[0].error.find("no answer within 50 ms"), std::string::npos);
  }
  EXPECT_EQ(slow.max_concurrent_.load(), 1);  // one ping in flight per store, whatever the request rate
  EXPECT_LE(slow.pings_.load(), 2);           // requests during a ping share the next one
}

}  // namespace
}  // namespace cinerec
