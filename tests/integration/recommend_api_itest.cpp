// The recommendation service end to end: `cinerec serve` on an isolated config, the model published to the
// test stack's S3, history in PostgreSQL, lists and activity in Redis, impressions in ClickHouse.
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "integration/recommend_fixture.h"

namespace cinerec {
namespace {

using testing::CollectStack;
using testing::MakeEvent;
using testing::ModelMovie;
namespace json = boost::json;

using RecommendApiTest = RecommendStackTest;

TEST_F(RecommendApiTest, CacheHitAndMissRankAlikeAndExplain) {
  const auto user = testing::InsertUser(stack_.postgres(), "hitmiss" + testing::UniqueName());
  testing::InsertFinished(stack_.postgres(), user, scifi_[0]);
  const auto miss = List(user, "?explain=true");
  EXPECT_EQ(miss.at("explain").at("cache"), "miss");
  EXPECT_EQ(miss.at("model_version"), json::value(version_));
  EXPECT_EQ(miss.at("variant"), "default");
  EXPECT_EQ(miss.at("source"), "fold_in");
  EXPECT_EQ(miss.at("degraded"), false);
  const auto hit = List(user, "?explain=true");
  EXPECT_EQ(hit.at("explain").at("cache"), "hit");
  EXPECT_EQ(Ids(hit), Ids(miss));
  EXPECT_EQ(hit.at("items"), miss.at("items"));
  EXPECT_NE(hit.at("request_id"), miss.at("request_id"));
  // A sci-fi viewer: the top is sci-fi, explained by the movie they watched.
  const auto& top = miss.at("items").as_array()[0].as_object();
  EXPECT_EQ(top.at("genres").as_array()[0], "Sci-Fi");
  bool because = false;
  for (const auto& item : miss.at("items").as_array())
    because |= item.at("reason") == "because you watched Star 1";
  EXPECT_TRUE(because) << json::serialize(miss);
  const auto metrics = Get("/metrics", "").body;
  EXPECT_NE(metrics.find("cinerec_recommend_responses_total{cache=\"hit\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("cinerec_recommend_model_loaded{version=\"" + version_ + "\"} 1"),
            std::string::npos);
}

TEST_F(RecommendApiTest, RulesHoldOverManyUsers) {
  auto& pg = stack_.postgres();
  std::mt19937 random(7);
  std::vector<std::int64_t> all = scifi_;
  all.insert(all.end(), drama_.begin(), drama_.end());
  all.push_back(premium_);
  for (int u = 0; u < 40; ++u) {
    const bool premium = u % 3 == 0;
    const auto user = testing::InsertUser(pg, "rules" + std::to_string(u) + testing::UniqueName(), "{}",
                                          premium ? "premium" : "");
    std::set<std::int64_t> forbidden{deleted_};
    std::shuffle(all.begin(), all.end(), random);
    for (int k = 0; k < 3; ++k) {
      testing::InsertFinished(pg, user, all[static_cast<std::size_t>(k)]);
      forbidden.insert(all[static_cast<std::size_t>(k)]);
    }
    testing::InsertReaction(pg, user, all[3], -1);
    testing::InsertReaction(pg, user, all[4], 1);
    forbidden.insert(all[3]);
    forbidden.insert(all[4]);
    if (!premium) forbidden.insert(premium_);
    for (const std::string query : {"", "?limit=5", "?genre=Drama", "?limit=3&genre=Sci-Fi"}) {
      const auto body = List(user, query);
      for (auto id : Ids(body))
        EXPECT_FALSE(forbidden.contains(id)) << "user " << user << query << " got " << id;
      if (query.find("Drama") != std::string::npos) {
        for (const auto& item : body.at("items").as_array())
          EXPECT_EQ(item.at("genres").as_array()[0], "Drama");
      }
    }
    EXPECT_FALSE(Ids(List(user)).empty());
  }
}

TEST_F(RecommendApiTest, ALikeAndAFinishedViewChangeTheNextResponseWithinASecond) {
  const auto [user, token] = stack_.NewViewer("fresh" + testing::UniqueName() + "@example.com");
  auto first = json::parse(Get("/v1/me/recommendations?limit=3", token).body).as_object();
  ASSERT_FALSE(Ids(first).empty());
  const auto liked = Ids(first)[0];
  ASSERT_EQ(Get("/v1/me/recommendations?explain=true", token).status, 200);
  ASSERT_EQ(stack_.Post(json::array{MakeEvent("like", {{"movie_id", liked}})}, token).status, 200);
  const auto sent = std::chrono::steady_clock::now();
  std::vector<std::int64_t> after;
  while (std::chrono::steady_clock::now() - sent < std::chrono::seconds(5)) {
    after = Ids(json::parse(Get("/v1/me/recommendations?limit=3", token).body).as_object());
    if (std::find(after.begin(), after.end(), liked) == after.end()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto took = std::chrono::steady_clock::now() - sent;
  std::printf("like -> next response without the movie: %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  EXPECT_EQ(std::find(after.begin(), after.end(), liked), after.end());
  EXPECT_LT(took, std::chrono::seconds(1))
      << "the like showed after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms";
  // The fold-in now knows the taste: a liked sci-fi movie brings sci-fi to the top, and the list is
  // explained.
  const auto scifi_like = scifi_[2];
  ASSERT_EQ(
      stack_
          .Post(json::array{MakeEvent("view_start", {{"movie_id", scifi_like}, {"session_id", "s1"}}, -5000),
                            MakeEvent("view_stop", {{"movie_id", scifi_like},
                                                    {"session_id", "s1"},
                                                    {"position", 6000},
                                                    {"watched_seconds", 6000}})},
                token)
          .status,
      200);
  const auto top_genre = CollectStack::WaitFor(
      [&] {
        const auto body = json::parse(Get("/v1/me/recommendations?limit=3", token).body).as_object();
        const auto ids = Ids(body);
        if (std::find(ids.begin(), ids.end(), scifi_like) != ids.end())
          return std::string("finished one shown");
        return std::string(body.at("items").as_array()[0].at("genres").as_array()[0].as_string());
      },
      "Sci-Fi", std::chrono::seconds(5));
  EXPECT_EQ(top_genre, "Sci-Fi");
}

TEST_F(RecommendApiTest, OnboardingOnlyViewersGetTheirGenres) {
  const auto user = testing::InsertUser(stack_.postgres(), "onboard" + testing::UniqueName(),
                                        R"({"favourite_genres": ["Drama"]})");
  const auto body = List(user, "?limit=5&explain=true");
  EXPECT_EQ(body.at("source"), "content");
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 5u);
  for (std::size_t i = 0; i < 3; ++i) {  // 60% of the page: the genre cap then mixes in other genres
    EXPECT_EQ(items[i].at("genres").as_array()[0], "Drama") << json::serialize(body);
    EXPECT_EQ(items[i].at("reason"), "matches your interest in Drama") << json::serialize(body);
  }
}

TEST_F(RecommendApiTest, ANewMovieWithNoViewsAppearsThroughItsContent) {
  const auto user = testing::InsertUser(stack_.postgres(), "newmovie" + testing::UniqueName());
  for (std::size_t i = 0; i < 4; ++i)
    testing::InsertFinished(stack_.postgres(), user, scifi_[i]);
  const auto body = List(user, "?limit=5&explain=true");
  bool found = false;
  for (const auto& item : body.at("items").as_array())
    if (item.at("movie_id").as_int64() == new_scifi_) {
      found = true;
      EXPECT_EQ(item.at("source"), "content");
      EXPECT_EQ(item.at("reason"), "new in Sci-Fi");
    }
  EXPECT_TRUE(found) << json::serialize(body);
}

TEST_F(RecommendApiTest, AccessAndParameterErrors) {
  const auto [alice, alice_token] = stack_.NewViewer("alice" + testing::UniqueName() + "@example.com");
  const auto [bob, bob_token] = stack_.NewViewer("bob" + testing::UniqueName() + "@example.com");
  EXPECT_EQ(Get("/v1/users/" + std::to_string(alice) + "/recommendations", alice_token).status, 200);
  const auto forbidden = Get("/v1/users/" + std::to_string(bob) + "/recommendations", alice_token);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(json::parse(forbidden.body).at("error").at("code"), "forbidden");
  EXPECT_EQ(Get("/v1/me/recommendations", "").status, 401);
  for (const std::string bad : {"?limit=0", "?limit=101", "?limit=1000000", "?limit=x", "?genre=Nope",
                                "?exclude=a", "?explain=maybe"}) {
    const auto result = Get("/v1/me/recommendations" + bad, alice_token);
    EXPECT_EQ(result.status, 422) << bad;
    EXPECT_TRUE(json::parse(result.body).at("error").is_object()) << bad;
  }
  const std::vector<std::pair<std::string, int>> errors{
      {"/v1/users/abc/recommendations", 400}, {"/v1/users/-3/recommendations", 400},
      {"/v1/users/1.5/recommendations", 400}, {"/v1/users/999999999/recommendations", 404},
      {"/v1/movies/abc/similar", 400},        {"/v1/movies/999999999/similar", 404},
      {"/v1/movies/1/similar?limit=0", 422},  {"/v1/me/recommendations", 403}};  // an API key
  for (const auto& [target, status] : errors) {
    const auto result = Get(target);
    EXPECT_EQ(result.status, status) << target;
    EXPECT_TRUE(json::parse(result.body).at("error").at("code").is_string()) << target << ": " << result.body;
  }
}

TEST_F(RecommendApiTest, SimilarMoviesFollowTheViewersRules) {
  const auto anonymous =
      json::parse(Get("/v1/movies/" + std::to_string(scifi_[0]) + "/similar", "").body).as_object();
  EXPECT_EQ(anonymous.at("source"), "similar");
  const auto ids = Ids(anonymous);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(anonymous.at("items").as_array()[0].at("genres").as_array()[0], "Sci-Fi");
  EXPECT_EQ(anonymous.at("items").as_array()[0].at("reason"), "similar to Star 1");
  const auto [viewer, token] = stack_.NewViewer("similar" + testing::UniqueName() + "@example.com");
  const auto mine =
      Ids(json::parse(Get("/v1/movies/" + std::to_string(scifi_[0]) + "/similar", token).body).as_object());
  EXPECT_EQ(std::find(mine.begin(), mine.end(), premium_), mine.end()) << "a free viewer never sees premium";
}

// Two variants, one pinned to the fixture's version and one following LATEST: after a new version is
// published, each viewer keeps their variant (stable hash) and gets its model, and the impressions record the
// variant and version of every response.
TEST_F(RecommendApiTest, ExperimentVariantsServeTheirOwnModels) {
  auto config = stack_.config();
  config.collect.spool_dir += "-variants";  // a spool and a model copy belong to one process
  config.recommend.model_cache_dir = config.collect.spool_dir + "/models";
  config.recommend.variants = "control:50:LATEST:diverse,pinned:50:" + version_ + ":plain";
  CollectStack service(config);
  const auto next = testing::PublishModel(stack_.config(), movies_);
  WaitForModel(service, next);  // the probe may be in either variant: wait until LATEST moved...
  std::vector<std::int64_t> users;
  for (int i = 0; i < 30; ++i)
    users.push_back(
        testing::InsertUser(stack_.postgres(), "variant" + std::to_string(i) + testing::UniqueName()));
  const auto control_seen = CollectStack::WaitFor(
      [&] {
        for (const auto user : users) {
          const auto body = List(service, user, "");
          if (body.at("variant") == "control" && ModelVersion(body) != next) return ModelVersion(body);
        }
        return next;
      },
      next);
  ASSERT_EQ(control_seen, next) << "...for the control variant";

  std::map<std::string, std::string> version_of;  // variant -> version served
  std::map<std::int64_t, std::string> variant_of;
  std::vector<std::string> request_ids;
  for (int round = 0; round < 2; ++round)
    for (const auto user : users) {
      const auto body = List(service, user, "?limit=3");
      const std::string variant(body.at("variant").as_string());
      EXPECT_TRUE(variant_of.try_emplace(user, variant).first->second == variant) << "user " << user;
      const auto [it, added] = version_of.try_emplace(variant, ModelVersion(body));
      EXPECT_EQ(it->second, ModelVersion(body)) << variant;
      EXPECT_FALSE(Ids(body).empty());
      request_ids.push_back(std::string(body.at("request_id").as_string()));
    }
  EXPECT_EQ(version_of, (std::map<std::string, std::string>{{"control", next}, {"pinned", version_}}));

  std::string in;
  for (const auto& id : request_ids)
    in += (in.empty() ? "'" : ", '") + id + "'";
  const std::string expected = "control\t" + next + "\npinned\t" + version_;
  EXPECT_EQ(stack_.WaitClickHouse("SELECT variant, any(model_version) FROM recommendation_impressions WHERE "
                                  "request_id IN ("
                                      + in + ") GROUP BY variant ORDER BY variant",
                                  expected),
            expected);
  EXPECT_EQ(stack_.ClickHouseValue("SELECT uniqExact(model_version) FROM recommendation_impressions WHERE "
                                   "request_id IN ("
                                   + in + ")"),
            "2");
}

// GET /v1/trending is public and the same for everyone, except that a signed-in viewer never gets what the
// recommendation rules hide from them: finished, liked or disliked movies, or movies their tier cannot play.
TEST_F(RecommendApiTest, TrendingForASignedInViewerFollowsTheRules) {
  const auto [watcher, watcher_token] = stack_.NewViewer("watcher" + testing::UniqueName() + "@example.com");
  json::array events;
  const std::vector<std::pair<std::int64_t, int>> views{
      {drama_[0], 4}, {scifi_[1], 3}, {premium_, 2}, {drama_[1], 1}};
  for (const auto& [movie, count] : views)
    for (int i = 0; i < count; ++i)
      events.push_back(
          MakeEvent("view_start", {{"movie_id", movie}, {"session_id", fmt::format("w{}-{}", movie, i)}}));
  ASSERT_EQ(stack_.Post(events, watcher_token).status, 200);
  auto trending = [&](const std::string& token, const std::string& query = "") {
    const auto result = Get("/v1/trending?window=24h" + query, token);
    EXPECT_EQ(result.status, 200) << result.body;
    return Ids(json::parse(result.body).as_object());
  };
  const std::vector<std::int64_t> everyone{drama_[0], scifi_[1], premium_, drama_[1]};
  EXPECT_EQ(CollectStack::WaitFor([&] { return fmt::format("{}", fmt::join(trending(""), ",")); },
                                  fmt::format("{}", fmt::join(everyone, ","))),
            fmt::format("{}", fmt::join(everyone, ",")));

  const auto [viewer, token] = stack_.NewViewer("trendviewer" + testing::UniqueName() + "@example.com");
  testing::InsertFinished(stack_.postgres(), viewer, drama_[0]);
  testing::InsertReaction(stack_.postgres(), viewer, scifi_[1], -1);
  EXPECT_EQ(trending(token), (std::vector<std::int64_t>{drama_[1]}))
      << "finished, disliked and premium-only movies are hidden from a free viewer";
  EXPECT_EQ(trending(token, "&limit=1"), (std::vector<std::int64_t>{drama_[1]}));
  EXPECT_EQ(trending(""), everyone) << "anonymous trending is unchanged";
  EXPECT_EQ(trending(watcher_token).size(), everyone.size() - 1) << "the watcher is free: no premium";

  // A like sent as an event hides the movie from the viewer's next trending (Redis recent activity).
  ASSERT_EQ(stack_.Post(json::array{MakeEvent("like", {{"movie_id", drama_[1]}})}, token).status, 200);
  EXPECT_EQ(CollectStack::WaitFor([&] { return fmt::format("{}", fmt::join(trending(token), ",")); }, "",
                                  std::chrono::seconds(5)),
            "");
}

TEST_F(RecommendApiTest, ImpressionsReachClickHouseWithRequestIdAndVariant) {
  const auto user = testing::InsertUser(stack_.postgres(), "impressions" + testing::UniqueName());
  const auto body = List(user, "?limit=4");
  const std::string request_id(body.at("request_id").as_string());
  EXPECT_EQ(
      stack_.WaitClickHouse(
          "SELECT count() FROM recommendation_impressions WHERE request_id = '" + request_id + "'", "4"),
      "4");
  EXPECT_EQ(
      stack_.ClickHouseValue("SELECT variant, model_version, user_id, min(position), max(position) FROM "
                             "recommendation_impressions WHERE request_id = '"
                             + request_id + "' GROUP BY variant, model_version, user_id"),
      "default\t" + version_ + "\t" + std::to_string(user) + "\t1\t4");
}

TEST_F(RecommendApiTest, HotSwapUnderLoadLosesNoRequest) {
  std::vector<std::int64_t> users;
  for (int i = 0; i < 20; ++i) {
    users.push_back(
        testing::InsertUser(stack_.postgres(), "swap" + std::to_string(i) + testing::UniqueName()));
    testing::InsertFinished(stack_.postgres(), users.back(), scifi_[static_cast<std::size_t>(i % 5)]);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::mutex mutex;
  std::set<std::string> versions;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        const auto user = users[static_cast<std::size_t>((i * 4 + t) % 20)];
        const auto result = Get("/v1/users/" + std::to_string(user) + "/recommendations");
        if (result.status != 200) {
          ++failed;
          continue;
        }
        ++ok;
        const auto v = json::parse(result.body).at("model_version");
        std::lock_guard lock(mutex);
        versions.insert(v.is_string() ? std::string(v.as_string()) : "none");
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int before = ok.load();
  const auto next = testing::PublishModel(stack_.config(), movies_);
  const auto swapped = CollectStack::WaitFor(
      [&] {
        std::lock_guard lock(mutex);
        return versions.contains(next) ? next : std::string("not yet");
      },
      next, std::chrono::seconds(10));
  const int until_swapped = ok.load();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(swapped, next);
  EXPECT_GT(before, 0);
  EXPECT_GT(until_swapped, before) << "answered while the new version was loaded";
  EXPECT_GT(ok.load(), until_swapped) << "answered after the swap";
  EXPECT_EQ(failed.load(), 0) << ok.load() << " answered 200";
  std::printf(
      "hot swap under load: %d requests answered 200 (%d before the publish, %d until the new version was "
      "served, %d after), %d failed\n",
      ok.load(), before, until_swapped - before, ok.load() - until_swapped, failed.load());
  EXPECT_EQ(versions, (std::set<std::string>{version_, next}));
}

TEST_F(RecommendApiTest, RestartWithS3DownServesTheDiskCopyAndRedisDownStillAnswers) {
  const auto user = testing::InsertUser(stack_.postgres(), "outage" + testing::UniqueName());
  testing::InsertFinished(stack_.postgres(), user, drama_[0]);
  const auto before = List(user);
  auto config = stack_.config();
  config.s3.endpoint = "http://127.0.0.1:1";  // nothing listens there: S3 is down for this process
  config.redis.url = "redis://127.0.0.1:1";   // ... and Redis too
  config.collect.spool_dir += "-outage";      // a spool belongs to one process; the model copy is shared
  CollectStack outage(config);
  const auto result =
      outage.Call("GET", "/v1/users/" + std::to_string(user) + "/recommendations?explain=true", "",
                  testing::kCollectAdminKey);
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = json::parse(result.body).as_object();
  EXPECT_EQ(body.at("model_version"), json::value(version_)) << "loaded from the disk copy";
  EXPECT_EQ(body.at("explain").at("cache"), "bypass");
  EXPECT_EQ(body.at("degraded"), false);
  EXPECT_EQ(Ids(body), Ids(before)) << "the same model and history rank alike";
}

}  // namespace
}  // namespace cinerec
