// The SessionStore contract on the real stores of the test stack: PgSessionStore and RedisSessionStore.
#include <thread>

#include "accounts/pg_session_store.h"
#include "accounts/redis_session_store.h"
#include "accounts/session_store_contract.h"
#include "app/stores.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec::accounts {
namespace {

// Each test gets its own database and key prefix (IsolatedConfig), with real users behind the sessions.
struct RealBackendBase {
  static constexpr std::chrono::milliseconds kShortTtl{400};
  Config config = testing::IsolatedConfig();
  Stores stores = Stores::Connect(config);

  std::int64_t NewUserId() {
    static int counter = 0;
    auto r =
        stores.postgres->Exec("INSERT INTO users (email, display_name) VALUES ($1, 'Contract') RETURNING id",
                              PgParams("contract" + std::to_string(++counter) + "@example.com"));
    return r.GetInt(0, 0);
  }
  void LetTimePass(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
};

struct PostgresBackend : RealBackendBase {
  PgSessionStore sessions{*stores.postgres};
  SessionStore& store() { return sessions; }
};

struct RedisBackend : RealBackendBase {
  RedisSessionStore sessions{*stores.redis, config.redis.key_prefix};
  SessionStore& store() { return sessions; }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, SessionStoreContract, ::testing::Types<PostgresBackend>);
INSTANTIATE_TYPED_TEST_SUITE_P(RealRedis, SessionStoreContract, ::testing::Types<RedisBackend>);

}  // namespace
}  // namespace cinerec::accounts
