// RedisInvalidationListener on the test stack's Redis: changes made by another client arrive; a cut
// connection makes the feed not live and forgets everything until it is back.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "common/config.h"
#include "storage/redis/invalidation_listener.h"
#include "storage/redis/redis_pool.h"
#include "support/eventually.h"
#include "support/tcp_proxy.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;

using cinerec::testing::Eventually;

struct Recorder {
  std::mutex mutex;
  std::multiset<std::string> keys;
  int forgets = 0;
  InvalidationFeed::Handler Handler() {
    return [this](std::string_view key) {
      std::lock_guard lock(mutex);
      if (key.empty())
        ++forgets;
      else
        keys.insert(std::string(key));
    };
  }
  bool Saw(const std::string& key) {
    std::lock_guard lock(mutex);
    return keys.contains(key);
  }
  int Forgets() {
    std::lock_guard lock(mutex);
    return forgets;
  }
};

TEST(RedisInvalidationListenerTest, DeliversEveryWriteDeleteAndExpiryUnderItsPrefixOnly) {
  const auto config = cinerec::testing::StackConfig().redis;
  const std::string prefix = "cinerec:" + cinerec::testing::UniqueName() + ":";
  RedisInvalidationListener listener(config);
  Recorder watched, other;
  listener.Subscribe(prefix + "{u:", watched.Handler());
  ASSERT_TRUE(Eventually([&] { return listener.live(); }));
  EXPECT_GE(watched.Forgets(), 1) << "a new subscription starts from nothing";

  RedisPool writer(config);  // another client: e.g. the collection service on another node
  writer.Command({"SET", prefix + "{u:1}:recs", "list"});
  writer.Command({"HSET", prefix + "{u:2}:reactions", "10", "1"});
  writer.Command({"SET", prefix + "{u:3}:recs", "list", "PX", "50"});  // expires by itself
  writer.Command({"SET", prefix + "session:{ab}", "not watched"});
  EXPECT_TRUE(Eventually([&] { return watched.Saw(prefix + "{u:1}:recs"); }));
  EXPECT_TRUE(Eventually([&] { return watched.Saw(prefix + "{u:2}:reactions"); }));
  writer.Command({"DEL", prefix + "{u:1}:recs"});
  EXPECT_TRUE(Eventually([&] {
    std::lock_guard lock(watched.mutex);
    return watched.keys.count(prefix + "{u:1}:recs") == 2;
  }));
  writer.Command({"GET", prefix + "{u:3}:recs"});  // expiry is also noticed on access, whichever comes first
  EXPECT_TRUE(Eventually([&] {
    std::lock_guard lock(watched.mutex);
    return watched.keys.count(prefix + "{u:3}:recs") == 2;
  }));
  EXPECT_FALSE(watched.Saw(prefix + "session:{ab}"));

  // A second prefix resubscribes (and forgets) and then gets its own keys.
  const int forgets = watched.Forgets();
  listener.Subscribe(prefix + "session:{", other.Handler());
  ASSERT_TRUE(Eventually([&] { return watched.Forgets() > forgets && listener.live(); }));
  writer.Command({"DEL", prefix + "session:{ab}", prefix + "{u:2}:reactions"});
  EXPECT_TRUE(Eventually([&] { return other.Saw(prefix + "session:{ab}"); }));
  EXPECT_FALSE(other.Saw(prefix + "{u:2}:reactions"));
}

TEST(RedisInvalidationListenerTest, ALostConnectionForgetsEverythingAndIsNotLiveUntilBack) {
  auto config = cinerec::testing::StackConfig().redis;
  std::string host;
  unsigned short port = 0;
  cinerec::testing::RedirectUrl(config.url, 0, &host, &port);
  cinerec::testing::TcpProxy proxy(host, port);
  const auto direct = config;
  config.url = cinerec::testing::RedirectUrl(config.url, proxy.port());
  const std::string prefix = "cinerec:" + cinerec::testing::UniqueName() + ":";
  RedisInvalidationListener listener(config, {milliseconds(300), milliseconds(200), milliseconds(200)});
  Recorder recorder;
  listener.Subscribe(prefix, recorder.Handler());
  ASSERT_TRUE(Eventually([&] { return listener.live(); }));
  const int forgets = recorder.Forgets();

  proxy.Cut();
  EXPECT_TRUE(Eventually([&] { return !listener.live(); }));
  EXPECT_GT(recorder.Forgets(), forgets);
  RedisPool writer(direct);
  writer.Command({"SET", prefix + "missed", "1"});  // written while the listener could not hear it

  const int during = recorder.Forgets();
  proxy.Restore();
  ASSERT_TRUE(Eventually([&] { return listener.live(); }));
  EXPECT_GT(recorder.Forgets(), during) << "coming back must forget what may have changed meanwhile";
  EXPECT_EQ(listener.interruptions(), 1u);
  writer.Command({"DEL", prefix + "missed"});
  EXPECT_TRUE(Eventually([&] { return recorder.Saw(prefix + "missed"); }));
}

TEST(RedisInvalidationListenerTest, UnsubscribedHandlersAreNeverCalledAgain) {
  const auto config = cinerec::testing::StackConfig().redis;
  const std::string prefix = "cinerec:" + cinerec::testing::UniqueName() + ":";
  RedisInvalidationListener listener(config);
  auto recorder = std::make_unique<Recorder>();
  const auto id = listener.Subscribe(prefix, recorder->Handler());
  ASSERT_TRUE(Eventually([&] { return listener.live(); }));
  listener.Unsubscribe(id);
  recorder.reset();  // a handler called after Unsubscribe returned would touch freed memory (ASan)
  RedisPool writer(config);
  for (int i = 0; i < 50; ++i)
    writer.Command({"SET", prefix + "k", std::to_string(i), "PX", "1000"});
  std::this_thread::sleep_for(milliseconds(100));
}

}  // namespace
}  // namespace cinerec
