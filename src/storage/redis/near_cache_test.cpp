#include "storage/redis/near_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace cinerec {
namespace {

using std::chrono::milliseconds;

struct FakeFeed final : InvalidationFeed {
  std::uint64_t Subscribe(std::string, Handler) override { return 1; }
  void Unsubscribe(std::uint64_t) override {}
  bool live() const override { return is_live; }
  bool is_live = true;
};

using Cache = NearCache<std::int64_t, std::string>;

std::shared_ptr<const std::string> Value(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

void Put(Cache& cache, std::int64_t key, const std::string& text) {
  cache.Insert(key, Value(text), text.size(), cache.Prepare(key));
}

TEST(NearCacheTest, KeepsWhatWasReadUntilTheKeyChanges) {
  FakeFeed feed;
  Cache cache(&feed, {1 << 20, milliseconds(60000)});
  EXPECT_EQ(cache.Find(1), nullptr);
  Put(cache, 1, "list one");
  ASSERT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(*cache.Find(1), "list one");
  cache.Invalidate(1);
  EXPECT_EQ(cache.Find(1), nullptr);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 2u);
}

TEST(NearCacheTest, AnInvalidationDuringTheReadIsNeverUndoneByIt) {
  FakeFeed feed;
  Cache cache(&feed, {1 << 20, milliseconds(60000)});
  const auto ticket = cache.Prepare(7);  // the read from Redis starts...
  cache.Invalidate(7);                   // ...the key changes meanwhile...
  cache.Insert(7, Value("old"), 3, ticket);
  EXPECT_EQ(cache.Find(7), nullptr) << "the value read before the change must not be kept";

  const auto before_flush = cache.Prepare(8);
  cache.InvalidateAll();
  cache.Insert(8, Value("old"), 3, before_flush);
  EXPECT_EQ(cache.Find(8), nullptr);

  Put(cache, 8, "new");  // a read that began after the change is kept
  EXPECT_NE(cache.Find(8), nullptr);
}

TEST(NearCacheTest, NothingIsServedOrKeptWhileTheFeedIsDown) {
  FakeFeed feed;
  Cache cache(&feed, {1 << 20, milliseconds(60000)});
  Put(cache, 1, "a");
  feed.is_live = false;
  EXPECT_EQ(cache.Find(1), nullptr);
  Put(cache, 2, "b");
  feed.is_live = true;
  EXPECT_EQ(cache.Find(2), nullptr);
}

TEST(NearCacheTest, EntriesExpireAfterTheTtl) {
  FakeFeed feed;
  Cache cache(&feed, {1 << 20, milliseconds(20)});
  Put(cache, 1, "a");
  EXPECT_NE(cache.Find(1), nullptr);
  std::this_thread::sleep_for(milliseconds(40));
  EXPECT_EQ(cache.Find(1), nullptr);
}

TEST(NearCacheTest, StaysWithinItsByteBudget) {
  FakeFeed feed;
  const std::size_t budget = 64 * 4096;  // 4 KiB per shard
  Cache cache(&feed, {budget, milliseconds(60000)});
  const std::string big(1000, 'x');
  for (std::int64_t key = 0; key < 10000; ++key)
    Put(cache, key, big);
  const auto stats = cache.stats();
  EXPECT_LE(stats.bytes, budget);
  EXPECT_GT(stats.entries, 64u);  // still holds some in every shard
  EXPECT_LE(stats.entries, budget / (1000 + Cache::kEntryOverhead));
}

TEST(NearCacheTest, DisabledWithoutAFeedOrBudget) {
  Cache no_feed(nullptr, {1 << 20, milliseconds(60000)});
  Put(no_feed, 1, "a");
  EXPECT_EQ(no_feed.Find(1), nullptr);
  FakeFeed feed;
  Cache no_budget(&feed, {0, milliseconds(60000)});
  Put(no_budget, 1, "a");
  EXPECT_EQ(no_budget.Find(1), nullptr);
}

}  // namespace
}  // namespace cinerec
