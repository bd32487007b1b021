#include "recommend/recommend_service.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "accounts/user_attribute_cache.h"
#include "catalog/movie_directory.h"
#include "collect/trending.h"
#include "common/errors.h"
#include "recommend/candidate_cache.h"
#include "recommend/impression_log.h"
#include "recommend/recommend_test_support.h"
#include "recommend/viewer_history.h"
#include "storage/redis/in_memory_redis.h"

namespace cinerec::recommend {
namespace {

using testing::FakeItem;
using testing::FakeModel;
using testing::Movie;

constexpr std::int64_t kNowMs = 1'767'225'600'000;  // 2026-01-01

class FakeHistory final : public HistorySource {
 public:
  ViewerHistory Load(std::int64_t user_id) override {
    std::lock_guard lock(mutex);
    ++loads;
    if (!available) throw StoreError("postgres", "down");
    const auto it = users.find(user_id);
    return it == users.end() ? ViewerHistory{} : it->second;
  }
  std::mutex mutex;
  std::map<std::int64_t, ViewerHistory> users;
  bool available = true;
  int loads = 0;
};

class RecordingImpressions final : public ImpressionLog {
 public:
  void Record(const ImpressionBatch& batch) override {
    std::lock_guard lock(mutex);
    batches.push_back(batch);
  }
  std::mutex mutex;
  std::vector<ImpressionBatch> batches;
};

std::vector<catalog::MovieInfo> Catalogue() {
  return {Movie(1, {"Sci-Fi"}), Movie(2, {"Sci-Fi"}),          Movie(3, {"Sci-Fi"}, 4),  // 3: premium only
          Movie(4, {"Drama"}),  Movie(5, {"Sci-Fi"}, 7, true), Movie(6, {"Drama"}),
          Movie(7, {"Drama"}),  Movie(8, {"Sci-Fi"}),          Movie(100, {"Sci-Fi"})};  // 100: new
}

std::shared_ptr<const ServingModel> Model(std::string version = "20260101T000000Z-000001") {
  return std::make_shared<FakeModel>(version, std::vector<FakeItem>{{1, {1, 0}, 10, {"Sci-Fi"}, {2, 3}},
                                                                    {2, {0.9f, 0.1f}, 5, {"Sci-Fi"}, {1}},
                                                                    {3, {0.95f, 0}, 1, {"Sci-Fi"}, {1}},
                                                                    {4, {0, 1}, 50, {"Drama"}, {6}},
                                                                    {5, {1, 0}, 1, {"Sci-Fi"}, {}},
                                                                    {6, {0.1f, 0.9f}, 20, {"Drama"}, {4}},
                                                                    {7, {0.2f, 0.8f}, 30, {"Drama"}, {}},
                                                                    {8, {0.7f, 0.3f}, 2, {"Sci-Fi"}, {}}});
}

catalog::MovieDirectory::Options Quiet() {
  catalog::MovieDirectory::Options options;
  options.refresh_period = std::chrono::hours(1);
  options.min_refresh_gap = std::chrono::hours(1);
  return options;
}

ViewerHistory Viewer(std::vector<std::int64_t> finished, std::string tier = "free") {
  ViewerHistory history;
  history.exists = true;
  history.tier = std::move(tier);
  std::sort(finished.begin(), finished.end());
  for (auto movie : finished)
    history.views.push_back({movie, 100, true, 100, kNowMs - 1000});
  return history;
}

class RecommendServiceTest : public ::testing::Test {
 protected:
  RecommendServiceTest() {
    EXPECT_TRUE(directory.RefreshNow());
    history.users[1] = Viewer({1});
    history.users[2] = Viewer({1}, "premium");
    ViewerHistory onboarding;
    onboarding.exists = true;
    onboarding.onboarding_genres = {"Drama"};
    history.users[3] = onboarding;
  }

  std::unique_ptr<RecommendService> Service(std::string variants = "default:100:LATEST:plain",
                                            std::size_t candidates = 300) {
    RecommendService::Options options;
    options.candidates = candidates;
    options.now_ms = [] { return kNowMs; };
    return std::make_unique<RecommendService>(
        RecommendService::Dependencies{[this](const std::string&) { return model; }, &cache, &history,
                                       &directory, &users, &trending, &impressions},
        Experiments(ParseVariants(variants)), options);
  }
  static std::vector<std::int64_t> Ids(const RecommendResult& result) {
    std::vector<std::int64_t> out;
    for (const auto& item : result.items)
      out.push_back(item.candidate.movie_id);
    return out;
  }
  static RecommendRequest For(std::int64_t user, std::size_t limit = 20) {
    RecommendRequest request;
    request.user_id = user;
    request.limit = limit;
    return request;
  }
  void Trend(std::string_view genre, std::int64_t movie, double score) {
    redis.Command({"ZINCRBY",
                   keys.TrendingBucket(RedisKeys::TrendingScope(genre), RedisKeys::HourIndex(kNowMs)),
                   std::to_string(score), std::to_string(movie)});
  }

  ManualClock clock;
  InMemoryRedis redis{clock.AsFunction()};
  RedisKeys keys{"t:"};
  CandidateCache cache{redis, keys, {std::chrono::milliseconds(60000), std::chrono::milliseconds(0)}};
  FakeHistory history;
  catalog::MovieDirectory directory{[] { return Catalogue(); }, Quiet()};
  accounts::UserAttributeCache users{[this](const std::vector<std::int64_t>& ids) {
                                       if (!history.available) throw StoreError("postgres", "down");
                                       accounts::UserAttributeCache::AttributeMap out;
                                       for (auto id : ids)
                                         if (history.users.contains(id))
                                           out[id] = {true, history.users[id].tier, "DE"};
                                       return out;
                                     },
                                     1000, std::chrono::seconds(600)};
  collect::TrendingReader trending{redis, keys, directory, [] {
                                     collect::TrendingReader::Options options;
                                     options.now_ms = [] { return kNowMs; };
                                     return options;
                                   }()};
  RecordingImpressions impressions;
  std::shared_ptr<const ServingModel> model = Model();
};

TEST_F(RecommendServiceTest, AMissThenAHitRankAlike) {
  auto service = Service();
  const auto miss = service->Recommend(For(1));
  EXPECT_EQ(miss.cache, "miss");
  EXPECT_EQ(miss.source, Source::kFoldIn);
  EXPECT_EQ(miss.model_version, "20260101T000000Z-000001");
  const auto hit = service->Recommend(For(1));
  EXPECT_EQ(hit.cache, "hit");
  EXPECT_EQ(Ids(hit), Ids(miss));
  for (std::size_t i = 0; i < hit.items.size(); ++i) {
    EXPECT_EQ(hit.items[i].candidate.score, miss.items[i].candidate.score);
    EXPECT_EQ(hit.items[i].reason, miss.items[i].reason);
  }
  EXPECT_EQ(history.loads, 1) << "a hit reads no history";
  EXPECT_NE(hit.request_id, miss.request_id);
}

TEST_F(RecommendServiceTest, RulesHoldForFinishedTierDeletedAndNewMovies) {
  auto service = Service();
  // Free viewer who finished 1: not 1 (finished), 3 (premium only), 5 (deleted); 100 (new) by content.
  EXPECT_EQ(Ids(service->Recommend(For(1))), (std::vector<std::int64_t>{100, 2, 8, 7, 6, 4}));
  // The premium viewer may see 3.
  EXPECT_EQ(Ids(service->Recommend(For(2))), (std::vector<std::int64_t>{3, 100, 2, 8, 7, 6, 4}));
}

TEST_F(RecommendServiceTest, RecentReactionsAndFinishedMoviesFilterTheCachedList) {
  auto service = Service();
  service->Recommend(For(1));
  redis.Command({"HSET", keys.UserReactions(1), "2", "-1", "8", "1", "7", "0"});
  redis.Command({"SADD", keys.UserFinished(1), "100"});
  const auto after = service->Recommend(For(1));
  EXPECT_EQ(after.cache, "hit");
  EXPECT_EQ(Ids(after), (std::vector<std::int64_t>{7, 6, 4})) << "a cleared reaction (7) filters nothing";
}

TEST_F(RecommendServiceTest, AnInvalidatedListIsRecomputedWithTheNewHistory) {
  auto service = Service();
  EXPECT_EQ(Ids(service->Recommend(For(1, 2))), std::vector<std::int64_t>({100, 2}));
  history.users[1] = Viewer({4, 6, 7});                 // now a drama viewer: the fold-in moves the taste
  redis.Command({"DEL", keys.UserRecommendations(1)});  // what the collection service does after the commit
  const auto after = service->Recommend(For(1, 2));
  EXPECT_EQ(after.cache, "miss");
  EXPECT_EQ(Ids(after), std::vector<std::int64_t>({8, 2})) << "taste (0.3, 2.7): 8 leads, 100 falls to third";
}

TEST_F(RecommendServiceTest, ANewModelVersionIsAMissAndAVariantChangeToo) {
  auto service = Service();
  service->Recommend(For(1));
  model = Model("20260102T000000Z-000002");
  const auto result = service->Recommend(For(1));
  EXPECT_EQ(result.cache, "miss");
  EXPECT_EQ(result.model_version, "20260102T000000Z-000002");
  EXPECT_EQ(service->Recommend(For(1)).cache, "hit");
  auto other = Service("other:100:LATEST");
  EXPECT_EQ(other->Recommend(For(1)).cache, "miss");
}

TEST_F(RecommendServiceTest, RedisDownComputesEveryRequest) {
  auto service = Service();
  const auto before = service->Recommend(For(1));
  redis.SetAvailable(false);
  const auto result = service->Recommend(For(1));
  EXPECT_EQ(result.cache, "bypass");
  EXPECT_FALSE(result.degraded);
  EXPECT_EQ(Ids(result), Ids(before));
}

TEST_F(RecommendServiceTest, PostgresDownServesTheCachedListElseTrending) {
  auto service = Service();
  const auto cached = service->Recommend(For(1));
  Trend("", 7, 5);
  Trend("", 4, 3);
  history.available = false;
  const auto hit = service->Recommend(For(1));
  EXPECT_EQ(Ids(hit), Ids(cached)) << "a hit needs no PostgreSQL";

  model = Model("20260102T000000Z-000002");  // the cached list is now of an older model
  const auto stale = service->Recommend(For(1));
  EXPECT_TRUE(stale.degraded);
  EXPECT_EQ(Ids(stale), Ids(cached)) << "PostgreSQL down: an older list beats none";

  const auto cold = service->Recommend(For(2));
  EXPECT_TRUE(cold.degraded);
  EXPECT_EQ(cold.source, Source::kTrending);
  EXPECT_EQ(Ids(cold), (std::vector<std::int64_t>{7, 4}));
}

TEST_F(RecommendServiceTest, PostgresAndRedisDownFallBackToTheModelsPopularity) {
  auto service = Service();
  history.available = false;
  redis.SetAvailable(false);
  const auto result = service->Recommend(For(1));
  EXPECT_TRUE(result.degraded);
  EXPECT_EQ(result.source, Source::kPopular);
  EXPECT_EQ(Ids(result).front(), 4);
}

TEST_F(RecommendServiceTest, NoModelServesTrendingAndOnboardingGenres) {
  model = nullptr;
  Trend("", 1, 9);
  Trend("", 2, 8);
  Trend("Drama", 6, 4);
  Trend("Drama", 7, 3);
  auto service = Service();
  const auto popular = service->Recommend(For(1));
  EXPECT_EQ(popular.source, Source::kTrending);
  EXPECT_EQ(Ids(popular), (std::vector<std::int64_t>{2})) << "1 finished";
  EXPECT_EQ(popular.items[0].reason, "trending now");
  const auto cold = service->Recommend(For(3));
  EXPECT_EQ(cold.source, Source::kColdStart);
  EXPECT_EQ(Ids(cold), (std::vector<std::int64_t>{6, 7}));
  EXPECT_EQ(cold.items[0].reason, "matches your interest in Drama");
  EXPECT_TRUE(redis.Command({"GET", keys.UserRecommendations(3)}).is_nil()) << "fallbacks are not cached";
}

TEST_F(RecommendServiceTest, OnboardingOnlyViewersGetTheirGenresFromTheModel) {
  auto service = Service();
  const auto result = service->Recommend(For(3, 3));
  EXPECT_EQ(result.source, Source::kContent);
  EXPECT_EQ(Ids(result), (std::vector<std::int64_t>{4, 7, 6}));
}

TEST_F(RecommendServiceTest, UnknownUsersAreNotFound) {
  auto service = Service();
  EXPECT_THROW(service->Recommend(For(999)), ApiError);
}

TEST_F(RecommendServiceTest, GenreAndExcludeFiltersAndAStarvedGenreIsScoredAgain) {
  auto service = Service();
  auto request = For(1);
  request.genres = {"Drama"};
  request.exclude = {7};
  EXPECT_EQ(Ids(service->Recommend(request)), (std::vector<std::int64_t>{6, 4}));

  // A 2-item list holds no drama: the genre is scored again, restricted to it.
  auto small = Service("default:100:LATEST:plain", 2);
  EXPECT_EQ(Ids(small->Recommend(request)), (std::vector<std::int64_t>{6, 4}));
}

TEST_F(RecommendServiceTest, ImpressionsCarryRequestVariantSourceAndPositions) {
  auto service = Service("exp:100:LATEST");
  const auto result = service->Recommend(For(1, 3));
  ASSERT_EQ(impressions.batches.size(), 1u);
  const auto& batch = impressions.batches[0];
  EXPECT_EQ(batch.request_id, result.request_id);
  EXPECT_EQ(batch.variant, "exp");
  EXPECT_EQ(batch.user_id, 1);
  EXPECT_EQ(batch.user_tier, "free");
  EXPECT_EQ(batch.model_version, result.model_version);
  ASSERT_EQ(batch.items.size(), 3u);
  EXPECT_EQ(batch.items[0].movie_id, 100);
  EXPECT_EQ(batch.items[0].source, "content");
  EXPECT_EQ(batch.items[1].source, "fold_in");
  const auto rows = ImpressionRows(batch);
  ASSERT_EQ(rows.size(), 3u);
  // TabSeparated, the table's columns in order.
  std::vector<std::string> fields;
  for (std::size_t start = 0;;) {
    const auto tab = rows[1].find('\t', start);
    fields.push_back(rows[1].substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  ASSERT_EQ(fields.size(), 14u) << rows[1];
  EXPECT_EQ(fields[1], result.request_id);
  EXPECT_EQ(fields[4], "1") << "user";
  EXPECT_EQ(fields[6], "2") << "position";
  EXPECT_EQ(fields[9], "exp") << "variant";
  EXPECT_EQ(fields[10], "fold_in") << "source";
  EXPECT_EQ(fields[11], "['Sci-Fi']") << "movie_genres";
  EXPECT_EQ(fields[12], "free") << "tier";
}

TEST(ImpressionRowsTest, EscapeWhatWouldBreakTabSeparated) {
  const std::vector<std::string> genres{"Children's", "Back\\slash"};
  const std::vector<std::uint16_t> both{0, 1};
  ImpressionBatch batch;
  batch.request_id = "0123456789abcdef0123456789abcdef";
  batch.user_id = 7;
  batch.time_ms = 1767225600000;
  batch.model_version = "v1";
  batch.variant = "a\tb";
  batch.user_tier = "free";
  batch.user_country = "line\nbreak";
  batch.genre_names = &genres;
  batch.items.push_back({42, 0.5f, "personal", both});
  std::string out;
  AppendImpressionRows(out, batch);
  EXPECT_EQ(out.find('\n'), std::string::npos) << "one row";
  EXPECT_NE(out.find("\ta\\tb\t"), std::string::npos) << out;
  EXPECT_NE(out.find("['Children\\'s','Back\\\\slash']"), std::string::npos) << out;
  EXPECT_NE(out.find("\tline\\nbreak"), std::string::npos) << out;
  EXPECT_NE(out.find("\t2026-01-01 00:00:00\t2026-01-01 00:00:00\t7\t42\t1\t0.5\t"), std::string::npos)
      << out;
}

TEST(ImpressionEventIdTest, DistinctPerPositionStableAndShapedLikeAUuid) {
  std::set<std::string> ids;
  for (const std::string& request :
       {std::string("0123456789abcdef0123456789abcdef"), std::string("custom-id")})
    for (std::size_t position = 1; position <= 500; ++position) {
      std::string id, again;
      AppendImpressionEventId(id, request, position);
      AppendImpressionEventId(again, request, position);
      EXPECT_EQ(id, again);
      ASSERT_EQ(id.size(), 36u) << id;
      EXPECT_EQ(id[8], '-');
      EXPECT_EQ(id[14], '8') << "version 8: " << id;
      EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << "RFC variant: " << id;
      ids.insert(id);
    }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST_F(RecommendServiceTest, HiddenForAppliesTheViewersRulesToAnyList) {
  auto service = Service();
  history.users[1].reactions.push_back({4, -1, kNowMs - 500});  // disliked 4; finished 1 (the fixture)
  redis.Command({"HSET", keys.UserReactions(1), "6", "1"});     // liked 6 seconds ago (Redis only)
  const std::vector<std::int64_t> list{1, 2, 3, 4, 5, 6, 7, 999};
  // Free viewer: 1 finished, 3 premium only, 4 disliked, 5 deleted, 6 liked; 999 unknown to the catalogue.
  EXPECT_EQ(service->HiddenFor(1, list), (std::unordered_set<std::int64_t>{1, 3, 4, 5, 6}));
  EXPECT_EQ(service->HiddenFor(2, list), (std::unordered_set<std::int64_t>{1, 5})) << "premium plays 3";
  history.available = false;  // PostgreSQL down: the recent activity and the snapshot's tier still apply
  redis.SetAvailable(false);  // ... and Redis too: the tier alone (free when unknown)
  EXPECT_EQ(service->HiddenFor(1, list), (std::unordered_set<std::int64_t>{3, 5}));
}

TEST_F(RecommendServiceTest, SimilarMoviesFollowTheViewersRules) {
  auto service = Service();
  SimilarRequest request;
  request.movie_id = 1;
  auto anonymous = service->Similar(request);
  EXPECT_EQ(Ids(anonymous), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(anonymous.items[0].reason, "similar to Movie 1");
  request.viewer = 1;  // free tier: 3 is premium only
  redis.Command({"SADD", keys.UserFinished(1), "2"});
  EXPECT_TRUE(service->Similar(request).items.empty());
  request.movie_id = 999;
  EXPECT_THROW(service->Similar(request), ApiError);
  request.movie_id = 100;  // unknown to the model: trending in its genre
  Trend("Sci-Fi", 8, 2);
  const auto fallback = service->Similar(request);
  EXPECT_EQ(fallback.source, Source::kTrending);
  EXPECT_EQ(Ids(fallback), (std::vector<std::int64_t>{8}));
}

}  // namespace
}  // namespace cinerec::recommend
