// Each store stopped while the service runs: /readyz turns 503 naming it, /healthz stays 200, and once the
// store is back the same process reports ready again (its adapter reconnected; no restart).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using testing::HttpCall;

class ReadinessFaultTest : public ::testing::TestWithParam<const char*> {};

bool WaitForReady(unsigned short port, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpCall(port, "GET", "/readyz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

TEST_P(ReadinessFaultTest, StoreDownIsNamedAndRecoveryNeedsNoRestart) {
  const std::string store = GetParam();
  auto config = testing::IsolatedConfig();
  config.redis.timeout = std::chrono::milliseconds(300);
  config.clickhouse.timeout = std::chrono::milliseconds(1000);
  config.s3.timeout = std::chrono::milliseconds(1000);
  config.postgres.connect_timeout = std::chrono::milliseconds(1000);
  testing::ServiceProcess service(config);
  ASSERT_TRUE(WaitForReady(service.port(), std::chrono::seconds(10)));

  testing::StopStore(store);
  struct Restart {  // the store comes back even if an assertion fails
    std::string store;
    ~Restart() {
      try {
        testing::StartStore(store);
      } catch (...) {
      }
    }
  } restart{store};

  auto ready = HttpCall(service.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  auto body = boost::json::parse(ready.body);
  EXPECT_EQ(body.at("stores").at(store), "down") << ready.body;
  for (const char* other : {"postgres", "redis", "clickhouse", "s3"}) {
    if (other != store) {
      EXPECT_EQ(body.at("stores").at(other), "ok") << other << " in " << ready.body;
    }
  }
  EXPECT_EQ(HttpCall(service.port(), "GET", "/healthz").status, 200);

  testing::StartStore(store);
  EXPECT_TRUE(WaitForReady(service.port(), std::chrono::seconds(30))) << store << " did not recover";
  EXPECT_TRUE(service.Running());
}

INSTANTIATE_TEST_SUITE_P(EachStore, ReadinessFaultTest,
                         ::testing::Values("postgres", "redis", "clickhouse", "s3"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string(param_info.param);
                         });

}  // namespace
}  // namespace cinerec
