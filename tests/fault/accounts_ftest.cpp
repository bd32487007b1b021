// Redis down: sign-in and authenticated requests fall back to the PostgreSQL copy of the sessions, and a
// session created during the outage works from Redis once it is back (refilled on first use).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "integration/accounts_test_client.h"

namespace cinerec {
namespace {

TEST(AccountsFaultTest, RedisDownLoginAndMeStillWorkThroughPostgres) {
  auto config = testing::AccountsTestConfig();
  config.redis.timeout = std::chrono::milliseconds(300);
  testing::ServiceProcess service(config);
  testing::AccountsClient api(service.port());
  auto [id, before] = api.NewViewer("fault@example.com");
  ASSERT_EQ(api.Call("GET", "/v1/me", "", before).status, 200);

  testing::StopStore("redis");
  struct Restart {  // Redis comes back even if an assertion fails
    ~Restart() {
      try {
        testing::StartStore("redis");
      } catch (...) {
      }
    }
  } restart;

  auto me = api.Call("GET", "/v1/me", "", before);
  EXPECT_EQ(me.status, 200) << me.body;
  auto login = api.Login("fault@example.com");
  ASSERT_EQ(login.status, 200) << login.body;
  auto during = std::string(boost::json::parse(login.body).at("token").as_string());
  EXPECT_EQ(api.Call("GET", "/v1/me", "", during).status, 200);
  EXPECT_EQ(api.Login("fault@example.com", "wrong password!!").status, 401);  // in-process limiter
  EXPECT_EQ(api.Call("POST", "/v1/auth/logout", "", before).status, 204);
  EXPECT_EQ(api.Call("GET", "/v1/me", "", before).status, 401);

  testing::StartStore("redis");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = api.Call("GET", "/v1/me", "", during).status;
    if (status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(status, 200);
  // Logged out while Redis was down: the queued removal was replayed, so the token stays revoked.
  EXPECT_EQ(api.Call("GET", "/v1/me", "", before).status, 401);
  (void)id;
}

}  // namespace
}  // namespace cinerec
