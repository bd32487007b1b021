// Erasure end to end: DELETE /v1/me removes the user's PostgreSQL row, Redis session keys and ClickHouse
// event rows (by mutation), and leaves other users' data alone.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "accounts/redis_session_store.h"
#include "accounts/token.h"
#include "app/stores.h"
#include "integration/accounts_test_client.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/redis/redis_client.h"

namespace cinerec {
namespace {

std::string WatchRow(std::int64_t user_id, int n) {
  return boost::json::serialize(
             boost::json::object{{"event_id", "00000000-0000-4000-8000-00000000000" + std::to_string(n)},
                                 {"event_type", "view_start"},
                                 {"event_time", "2026-11-24 10:00:00"},
                                 {"received_at", "2026-11-24 10:00:00"},
                                 {"user_id", user_id},
                                 {"movie_id", 1}})
         + "\n";
}

std::int64_t WatchRows(ClickHouseClient& clickhouse, std::int64_t user_id) {
  auto out = clickhouse.Query("SELECT count() FROM watch_events WHERE user_id = " + std::to_string(user_id)
                              + " FORMAT TabSeparated");
  return std::stoll(out);
}

TEST(AccountsErasureTest, DeleteMeErasesPostgresRedisAndClickHouse) {
  auto config = testing::AccountsTestConfig();
  testing::ServiceProcess service(config);
  testing::AccountsClient api(service.port());
  auto stores = Stores::Connect(config);
  auto [gone, token] = api.NewViewer("erase@example.com");
  auto [kept, kept_token] = api.NewViewer("keep@example.com");
  stores.clickhouse->Insert("watch_events", "JSONEachRow", WatchRow(gone, 1) + WatchRow(kept, 2));
  ASSERT_EQ(WatchRows(*stores.clickhouse, gone), 1);

  accounts::RedisSessionStore keys(*stores.redis, config.redis.key_prefix);
  const auto session_key = keys.SessionKey(accounts::TokenDigest(token));
  ASSERT_EQ(stores.redis->Command({"EXISTS", session_key}).integer, 1);

  auto erased = api.Call("DELETE", "/v1/me", "", token);
  ASSERT_EQ(erased.status, 204) << erased.body;

  EXPECT_EQ(stores.redis->Command({"EXISTS", session_key}).integer, 0);
  EXPECT_EQ(stores.redis->Command({"EXISTS", keys.UserSessionsKey(gone)}).integer, 0);
  EXPECT_EQ(api.Call("GET", "/v1/users/" + std::to_string(gone), "", testing::kTestAdminKey).status, 404);
  // Mutations run asynchronously: wait for them.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (WatchRows(*stores.clickhouse, gone) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(WatchRows(*stores.clickhouse, gone), 0);
  EXPECT_EQ(WatchRows(*stores.clickhouse, kept), 1);
  EXPECT_EQ(api.Call("GET", "/v1/me", "", kept_token).status, 200);
}

}  // namespace
}  // namespace cinerec
