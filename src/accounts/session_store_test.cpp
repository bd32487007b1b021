// The SessionStore contract on the fakes: InMemorySessionStore, and RedisSessionStore over InMemoryRedis.
#include "accounts/in_memory_session_store.h"
#include "accounts/redis_session_store.h"
#include "accounts/session_store_contract.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::accounts {
namespace {

struct InMemoryBackend {
  static constexpr std::chrono::milliseconds kShortTtl{1000};
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  InMemorySessionStore fake{[this] { return now; }};
  std::int64_t next_user = 1;

  SessionStore& store() { return fake; }
  std::int64_t NewUserId() { return next_user++; }
  void LetTimePass(std::chrono::milliseconds d) { now += d; }
};

struct FakeRedisBackend {
  static constexpr std::chrono::milliseconds kShortTtl{1000};
  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  RedisSessionStore sessions{redis, "t:"};
  std::int64_t next_user = 1;

  SessionStore& store() { return sessions; }
  std::int64_t NewUserId() { return next_user++; }
  void LetTimePass(std::chrono::milliseconds d) { clock.Advance(d); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, SessionStoreContract, ::testing::Types<InMemoryBackend>);
INSTANTIATE_TYPED_TEST_SUITE_P(FakeRedis, SessionStoreContract, ::testing::Types<FakeRedisBackend>);

}  // namespace
}  // namespace cinerec::accounts
