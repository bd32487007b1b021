// The recommendation service's degraded modes against the real servers (docs/recommendations.md, "Degraded
// modes"). The shared test stack is never stopped (other tests and agents use it): a second `cinerec serve`
// reaches one store through a TcpProxy, and the test cuts that proxy, which takes the store away from this
// process only, as a crash or a network partition would. Everything else (the fixture's service, the seeding
// through SQL, publishing to S3) uses the stores directly.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "integration/recommend_fixture.h"
#include "support/tcp_proxy.h"

namespace cinerec {
namespace {

using testing::CollectStack;
using testing::MakeEvent;
using testing::TcpProxy;
namespace json = boost::json;

bool HasReason(const json::object& body, const std::string& needle) {
  if (!body.contains("explain")) return false;
  for (const auto& reason : body.at("explain").at("degraded_reasons").as_array())
    if (std::string(reason.as_string()).find(needle) != std::string::npos) return true;
  return false;
}

// The value of a Prometheus series in `metrics` (0 when absent). Matched at a line's start: the # HELP line
// also holds the name followed by a space.
double Series(const std::string& metrics, const std::string& series) {
  const auto at = metrics.find("\n" + series + " ");
  return at == std::string::npos ? 0.0 : std::stod(metrics.substr(at + series.size() + 2));
}

class RecommendApiFaultTest : public RecommendStackTest {
 protected:
  // A configuration for a second service process: its own spool and model copy (both belong to one process).
  Config SecondServiceConfig(const std::string& suffix) {
    auto config = stack_.config();
    config.collect.spool_dir += "-" + suffix;
    config.recommend.model_cache_dir = config.collect.spool_dir + "/models";
    config.postgres.connect_timeout = std::chrono::milliseconds(1000);
    config.redis.timeout = std::chrono::milliseconds(300);
    config.s3.timeout = std::chrono::milliseconds(1000);
    return config;
  }

  // Views for `movies` (the first most often) so that GET /v1/trending has them; waits until it does.
  void MakeTrending(const std::vector<std::int64_t>& movies) {
    const auto [viewer, token] = stack_.NewViewer("trend" + testing::UniqueName() + "@example.com");
    json::array events;
    for (std::size_t m = 0; m < movies.size(); ++m)
      for (std::size_t i = 0; i < movies.size() - m; ++i)
        events.push_back(
            MakeEvent("view_start", {{"movie_id", movies[m]}, {"session_id", fmt::format("t{}-{}", m, i)}}));
    ASSERT_EQ(stack_.Post(events, token).status, 200);
    EXPECT_EQ(CollectStack::WaitFor(
                  [&] {
                    const auto body = json::parse(Get("/v1/trending?window=24h&limit=1", "").body);
                    const auto& items = body.at("items").as_array();
                    return items.empty() ? std::string("empty")
                                         : std::to_string(items[0].at("movie_id").as_int64());
                  },
                  std::to_string(movies.front())),
              std::to_string(movies.front()));
  }
};

// PostgreSQL down: a list cached in Redis is still served (also once a newer model made it stale, marked
// degraded), a viewer without one gets trending marked degraded, and the same process recovers when
// PostgreSQL answers again.
TEST_F(RecommendApiFaultTest, PostgresDownServesTheCachedListElseTrendingMarkedDegraded) {
  MakeTrending({drama_[2], scifi_[3], drama_[4]});
  auto config = SecondServiceConfig("pg");
  std::string host;
  unsigned short port = 0;
  testing::RedirectUrl(config.postgres.url, 0, &host, &port);
  TcpProxy proxy(host, port);
  config.postgres.url = testing::RedirectUrl(config.postgres.url, proxy.port());
  CollectStack service(config);
  WaitForModel(service, version_);

  const auto cached_user = testing::InsertUser(stack_.postgres(), "pgcached" + testing::UniqueName());
  testing::InsertFinished(stack_.postgres(), cached_user, scifi_[0]);
  const auto fresh_user = testing::InsertUser(stack_.postgres(), "pgfresh" + testing::UniqueName());
  const auto before = List(service, cached_user, "?explain=true");
  ASSERT_EQ(before.at("explain").at("cache"), "miss");
  ASSERT_EQ(List(service, cached_user, "?explain=true").at("explain").at("cache"), "hit");

  proxy.Cut();
  // The cached list of the current model: served as usual (the tier from the attribute snapshot).
  const auto hit = List(service, cached_user, "?explain=true");
  EXPECT_EQ(hit.at("explain").at("cache"), "hit");
  EXPECT_EQ(Ids(hit), Ids(before));
  // No cached list: trending, marked degraded.
  const auto trending = List(service, fresh_user, "?explain=true");
  EXPECT_EQ(trending.at("degraded"), true) << json::serialize(trending);
  EXPECT_EQ(trending.at("source"), "trending");
  EXPECT_TRUE(HasReason(trending, "postgres")) << json::serialize(trending);
  ASSERT_FALSE(Ids(trending).empty());
  EXPECT_EQ(Ids(trending)[0], drama_[2]) << json::serialize(trending);

  // A newer model makes the cached list a miss, but with PostgreSQL down it is still the best there is:
  // served, of its own (older) version, marked degraded.
  const auto next = testing::PublishModel(stack_.config(), movies_);
  const auto stale = CollectStack::WaitFor(
      [&] {
        const auto body = List(service, cached_user, "?explain=true");
        return body.at("degraded").as_bool() ? std::string("degraded") : ModelVersion(body);
      },
      "degraded", std::chrono::seconds(10));
  ASSERT_EQ(stale, "degraded");
  const auto served = List(service, cached_user, "?explain=true");
  EXPECT_EQ(ModelVersion(served), version_);
  EXPECT_EQ(Ids(served), Ids(before));
  EXPECT_TRUE(HasReason(served, "cached list")) << json::serialize(served);
  for (const auto id : Ids(served))
    EXPECT_NE(id, scifi_[0]) << "a finished movie, with PostgreSQL down";

  proxy.Restore();
  EXPECT_EQ(CollectStack::WaitFor(
                [&] {
                  const auto body = List(service, fresh_user, "");
                  return body.at("degraded").as_bool() ? std::string("degraded") : ModelVersion(body);
                },
                next, std::chrono::seconds(15)),
            next)
      << "the same process recovers when PostgreSQL is back";
  const auto recovered = List(service, cached_user, "?explain=true");
  EXPECT_EQ(recovered.at("degraded"), false);
  EXPECT_EQ(ModelVersion(recovered), next);
  EXPECT_EQ(recovered.at("explain").at("cache"), "miss");
}

// Redis down: every request is computed (200, not degraded, the same ranking); when Redis is back, lists
// cached before the outage are not trusted (the cache epoch moved): a reaction recorded while Redis was
// away (here straight into PostgreSQL, which no Redis set knows about) is never shown.
TEST_F(RecommendApiFaultTest, RedisDownComputesEveryRequestAndRetiresListsCachedBeforeTheOutage) {
  auto config = SecondServiceConfig("redis");
  std::string host;
  unsigned short port = 0;
  testing::RedirectUrl(config.redis.url, 0, &host, &port);
  TcpProxy proxy(host, port);
  config.redis.url = testing::RedirectUrl(config.redis.url, proxy.port());
  CollectStack service(config);
  WaitForModel(service, version_);

  const auto user = testing::InsertUser(stack_.postgres(), "redisdown" + testing::UniqueName());
  testing::InsertFinished(stack_.postgres(), user, drama_[0]);
  const auto before = List(service, user, "?explain=true");
  ASSERT_EQ(List(service, user, "?explain=true").at("explain").at("cache"), "hit");
  ASSERT_GE(Ids(before).size(), 2u);

  const auto feed_live = [&] {
    const auto metrics = service.Call("GET", "/metrics", "", "").body;
    return metrics.find("\ncinerec_redis_invalidations_live ") == std::string::npos
               ? std::string("absent")
               : fmt::format("{}", Series(metrics, "cinerec_redis_invalidations_live"));
  };
  ASSERT_EQ(CollectStack::WaitFor(feed_live, "1"), "1") << "the in-process layer never went live";
  proxy.Cut();
  // The in-process copy of the list is dropped once the process learns that the feed is gone (its own
  // connection's end): until then a request may still be answered from memory, correctly but as `hit`.
  ASSERT_EQ(CollectStack::WaitFor(feed_live, "0", std::chrono::seconds(10)), "0")
      << "the invalidation feed still looks live after the cut";
  for (int i = 0; i < 3; ++i) {
    const auto body = List(service, user, "?explain=true");
    EXPECT_EQ(body.at("explain").at("cache"), "bypass");
    EXPECT_EQ(body.at("degraded"), false);
    EXPECT_EQ(Ids(body), Ids(before)) << "computed from the same history and model";
  }
  const auto disliked = Ids(before)[0];
  testing::InsertReaction(stack_.postgres(), user, disliked, -1);
  const auto during = Ids(List(service, user, "?explain=true"));
  EXPECT_EQ(std::count(during.begin(), during.end(), disliked), 0);

  proxy.Restore();
  const auto back = CollectStack::WaitFor(
      [&] { return std::string(List(service, user, "?explain=true").at("explain").at("cache").as_string()); },
      "hit", std::chrono::seconds(10));
  EXPECT_EQ(back, "hit") << "Redis answers again";
  const auto after = List(service, user, "?explain=true");
  const auto after_ids = Ids(after);
  EXPECT_EQ(std::count(after_ids.begin(), after_ids.end(), disliked), 0)
      << "the list cached before the outage was served again: " << json::serialize(after);
}

// S3 down: the loaded model keeps serving (200, not degraded) and each failed poll is counted; the version
// published meanwhile is loaded once S3 answers again, by the same process.
TEST_F(RecommendApiFaultTest, S3DownKeepsTheLoadedModel) {
  auto config = SecondServiceConfig("s3");
  std::string host;
  unsigned short port = 0;
  testing::RedirectUrl(config.s3.endpoint, 0, &host, &port);
  TcpProxy proxy(host, port);
  config.s3.endpoint = testing::RedirectUrl(config.s3.endpoint, proxy.port());
  CollectStack service(config);
  WaitForModel(service, version_);
  const auto user = testing::InsertUser(stack_.postgres(), "s3down" + testing::UniqueName());
  testing::InsertFinished(stack_.postgres(), user, scifi_[1]);

  proxy.Cut();
  const auto next = testing::PublishModel(stack_.config(), movies_);  // straight to S3: unseen by `service`
  std::this_thread::sleep_for(std::chrono::seconds(2));               // ten poll periods
  for (int i = 0; i < 3; ++i) {
    const auto body = List(service, user, "?explain=true");
    EXPECT_EQ(ModelVersion(body), version_);
    EXPECT_EQ(body.at("degraded"), false);
    EXPECT_EQ(body.at("source"), "fold_in");
    EXPECT_FALSE(Ids(body).empty());
  }
  const auto metrics = service.Call("GET", "/metrics", "", "").body;
  EXPECT_GT(Series(metrics, "cinerec_recommend_model_events_total{event=\"poll_failed\"}"), 0) << metrics;

  proxy.Restore();
  WaitForModel(service, next);
}

// A published version whose artefact was damaged after its upload (same size, one byte changed: only the
// SHA-256 tells) is refused; the loaded model keeps serving, and the next good version is still picked up.
TEST_F(RecommendApiFaultTest, ADamagedVersionIsRefusedAndTheLoadedOneKept) {
  const auto damaged = testing::UploadModel(stack_.config(), movies_);
  S3ObjectStore s3(stack_.config().s3);
  std::string victim;
  for (const auto& object : s3.List("models/" + damaged + "/"))
    if (object.key.find("manifest") == std::string::npos && object.size > 64) victim = object.key;
  ASSERT_FALSE(victim.empty());
  auto bytes = *s3.Get(victim);
  bytes[bytes.size() - 1] = static_cast<char>(bytes[bytes.size() - 1] ^ 0x5a);
  s3.Put(victim, bytes);
  modelstore::ModelStore(s3).Publish(damaged);

  const auto user = testing::InsertUser(stack_.postgres(), "damaged" + testing::UniqueName());
  std::this_thread::sleep_for(std::chrono::seconds(2));  // ten poll periods
  for (int i = 0; i < 3; ++i) {
    const auto body = List(user, "");
    EXPECT_EQ(ModelVersion(body), version_) << "the damaged version " << damaged << " was served";
    EXPECT_FALSE(Ids(body).empty());
  }
  const auto metrics = Get("/metrics", "").body;
  EXPECT_GE(Series(metrics, "cinerec_recommend_model_events_total{event=\"refused\"}"), 1) << metrics;

  const auto good = testing::PublishModel(stack_.config(), movies_);
  WaitForModel(good);
}

// No model at all (a new installation: nothing in S3, no disk copy): trending, and for a viewer with
// onboarding genres, trending in those genres (the content cold start); never degraded, never cached.
class RecommendApiColdStartTest : public ::testing::Test {
 protected:
  RecommendApiColdStartTest() : stack_(testing::RecommendTestConfig()) {}
  testing::CollectStack stack_;
};

TEST_F(RecommendApiColdStartTest, NoModelServesTrendingAndOnboardingGenres) {
  std::vector<std::int64_t> dramas, comedies;
  for (int i = 0; i < 3; ++i) {
    dramas.push_back(stack_.CreateMovie("Cold Drama " + std::to_string(i), {"Drama"}));
    comedies.push_back(stack_.CreateMovie("Cold Comedy " + std::to_string(i), {"Comedy"}));
  }
  const auto [viewer, token] = stack_.NewViewer("cold" + testing::UniqueName() + "@example.com");
  // Comedies are watched most: the overall trending top is a comedy, the drama top is dramas[1].
  json::array events;
  const std::vector<std::pair<std::int64_t, int>> views{
      {comedies[0], 6}, {comedies[1], 5}, {dramas[1], 4}, {dramas[0], 2}, {comedies[2], 1}};
  for (const auto& [movie, count] : views)
    for (int i = 0; i < count; ++i)
      events.push_back(
          MakeEvent("view_start", {{"movie_id", movie}, {"session_id", fmt::format("c{}-{}", movie, i)}}));
  ASSERT_EQ(stack_.Post(events, token).status, 200);

  const auto onboarded = testing::InsertUser(stack_.postgres(), "coldonboard" + testing::UniqueName(),
                                             R"({"favourite_genres": ["Drama"]})");
  const auto unknown = testing::InsertUser(stack_.postgres(), "coldnone" + testing::UniqueName());
  auto list = [&](std::int64_t user) {
    const auto result =
        stack_.Call("GET", "/v1/users/" + std::to_string(user) + "/recommendations?explain=true");
    EXPECT_EQ(result.status, 200) << result.body;
    return json::parse(result.body).as_object();
  };
  EXPECT_EQ(CollectStack::WaitFor(
                [&] {
                  const auto body = list(unknown);
                  const auto& items = body.at("items").as_array();
                  return items.empty() ? std::string("empty")
                                       : std::to_string(items[0].at("movie_id").as_int64());
                },
                std::to_string(comedies[0])),
            std::to_string(comedies[0]));

  const auto plain = list(unknown);
  EXPECT_TRUE(plain.at("model_version").is_null());
  EXPECT_EQ(plain.at("source"), "trending");
  EXPECT_EQ(plain.at("degraded"), false);
  EXPECT_EQ(plain.at("items").as_array()[0].at("reason"), "trending now");

  const auto cold = list(onboarded);
  EXPECT_TRUE(cold.at("model_version").is_null());
  EXPECT_EQ(cold.at("source"), "cold_start");
  EXPECT_EQ(cold.at("degraded"), false);
  const auto& items = cold.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << "the two watched dramas: " << json::serialize(cold);
  EXPECT_EQ(items[0].at("movie_id").as_int64(), dramas[1]);
  EXPECT_EQ(items[1].at("movie_id").as_int64(), dramas[0]);
  for (const auto& item : items) {
    EXPECT_EQ(item.at("genres").as_array()[0], "Drama");
    EXPECT_EQ(item.at("reason"), "matches your interest in Drama");
  }
  EXPECT_NE(list(onboarded).at("explain").at("cache"), "hit") << "a cold-start list is never cached";
}

}  // namespace
}  // namespace cinerec
