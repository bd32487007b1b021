// POST /v1/events end to end: `cinerec serve` on an isolated config; events go through the spool into the
// real ClickHouse, PostgreSQL and Redis, and the counts there are exact.
#include <gtest/gtest.h>

#include "integration/collect_test_support.h"

namespace cinerec {
namespace {

using testing::CollectStack;
using testing::MakeEvent;
using testing::NewEventId;
namespace json = boost::json;

class CollectApiTest : public ::testing::Test {
 protected:
  CollectStack stack_;
};

TEST_F(CollectApiTest, MixedBatchLandsExactlyOnceInEveryStore) {
  const auto heat = stack_.CreateMovie("Heat", {"Crime", "Action"}, 10000);
  const auto amelie = stack_.CreateMovie("Amélie", {"Comedy"}, 7000);
  const auto [viewer, token] = stack_.NewViewer("mixed@example.com");
  const std::string s = "watch-" + NewEventId();
  json::array events{
      MakeEvent("view_start", {{"movie_id", heat}, {"session_id", s}, {"device", "tv"}}, -60000),
      MakeEvent("view_progress", {{"movie_id", heat}, {"session_id", s}, {"position", 4000}}, -50000),
      MakeEvent("view_seek", {{"movie_id", heat}, {"session_id", s}, {"from", 4000}, {"to", 8500}}, -40000),
      MakeEvent("view_stop",
                {{"movie_id", heat}, {"session_id", s}, {"position", 9500}, {"watched_seconds", 9100}},
                -30000),
      MakeEvent("like", {{"movie_id", heat}}, -20000),
      MakeEvent("dislike", {{"movie_id", amelie}}, -20000),
      MakeEvent("click", {{"movie_id", amelie}, {"target", "poster"}, {"section", "home/top"}, {"rank", 2}}),
      MakeEvent("search", {{"query", "heat 1995"}, {"results", 3}}),
      MakeEvent("page_view", {{"section", "home"}}),
      MakeEvent("trailer_play", {{"movie_id", amelie}, {"section", "detail"}}),
  };
  auto result = stack_.Post(events, token);
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = json::parse(result.body);
  EXPECT_EQ(body.at("accepted"), 10);
  EXPECT_EQ(body.at("rejected"), 0);

  // The same batch again (a client retry): nothing may be counted twice.
  ASSERT_EQ(stack_.Post(events, token).status, 200);

  const auto user = std::to_string(viewer);
  EXPECT_EQ(
      stack_.WaitClickHouse("SELECT uniqExact(event_id) FROM watch_events WHERE user_id = " + user, "4"),
      "4");
  EXPECT_EQ(stack_.WaitClickHouse("SELECT uniqExact(event_id) FROM ui_events WHERE user_id = " + user, "6"),
            "6");
  EXPECT_EQ(stack_.ClickHouseValue("SELECT count() FROM (SELECT * FROM watch_events FINAL) WHERE user_id = "
                                   + user),
            "4");
  EXPECT_EQ(stack_.ClickHouseValue(
                "SELECT movie_genres, duration_s, user_tier, device FROM watch_events FINAL WHERE "
                "event_type = 'view_start' AND user_id = "
                + user),
            "['Action','Crime']\t10000\tfree\ttv");
  EXPECT_EQ(stack_.ClickHouseValue(
                "SELECT section, rank FROM ui_events FINAL WHERE event_type = 'click' AND user_id = " + user),
            "home/top\t2");

  EXPECT_EQ(stack_.WaitPostgres("SELECT count(*) FROM reactions WHERE user_id = " + user, "2"), "2");
  EXPECT_EQ(
      stack_.WaitPostgres("SELECT watched_s || ',' || last_position_s || ',' || completed || ',' || device "
                          "FROM views WHERE user_id = "
                              + user,
                          "9100,9500,true,tv"),
      "9100,9500,true,tv");
  EXPECT_EQ(stack_.PostgresValue(
                "SELECT string_agg(movie_id || ':' || value, ',' ORDER BY movie_id) FROM reactions "
                "WHERE user_id = "
                + user),
            std::to_string(heat) + ":1," + std::to_string(amelie) + ":-1");
}

TEST_F(CollectApiTest, TrendingMovesWithinSeconds) {
  const auto popular = stack_.CreateMovie("Popular", {"Drama"});
  const auto other = stack_.CreateMovie("Other", {"Comedy"});
  const auto [viewer, token] = stack_.NewViewer("trend@example.com");
  json::array events;
  for (int i = 0; i < 5; ++i)
    events.push_back(
        MakeEvent("view_start", {{"movie_id", popular}, {"session_id", "t" + std::to_string(i)}}));
  events.push_back(MakeEvent("view_start", {{"movie_id", other}, {"session_id", "o"}}));
  ASSERT_EQ(stack_.Post(events, token).status, 200);
  const auto first = CollectStack::WaitFor(
      [&] {
        auto result = stack_.Call("GET", "/v1/trending?window=1h&limit=5", "", "");
        if (result.status != 200) return "status " + std::to_string(result.status);
        const auto items = json::parse(result.body).at("items").as_array();
        return items.empty() ? std::string("empty") : std::string(items[0].at("title").as_string());
      },
      "Popular");
  EXPECT_EQ(first, "Popular");
  auto drama = stack_.Call("GET", "/v1/trending?genre=Comedy&window=24h", "", "");
  ASSERT_EQ(drama.status, 200) << drama.body;
  EXPECT_EQ(CollectStack::WaitFor(
                [&] {
                  auto r = stack_.Call("GET", "/v1/trending?genre=Comedy&window=24h", "", "");
                  const auto items = json::parse(r.body).at("items").as_array();
                  return items.empty() ? std::string("empty") : std::string(items[0].at("title").as_string());
                },
                "Other"),
            "Other");
  EXPECT_EQ(stack_.Call("GET", "/v1/trending?window=0h", "", "").status, 422);
  EXPECT_EQ(stack_.Call("GET", "/v1/trending?limit=1000", "", "").status, 422);
}

std::string FirstErrorCode(const testing::HttpResult& result) {
  const auto body = json::parse(result.body).as_object();
  if (const auto* errors = body.if_contains("errors"); errors && !errors->as_array().empty())
    return std::string(errors->as_array()[0].at("code").as_string());
  return std::string(body.at("error").at("code").as_string());
}

TEST_F(CollectApiTest, BadInputGets4xxAndNeverSinksTheValidEvents) {
  const auto movie = stack_.CreateMovie("Valid", {"Drama"});
  const auto [viewer, token] = stack_.NewViewer("bad@example.com");
  EXPECT_EQ(stack_.Call("POST", "/v1/events", "{\"events\": [", token).status, 400);
  EXPECT_EQ(stack_.Call("POST", "/v1/events", "{\"events\": \"many\"}", token).status, 422);
  EXPECT_EQ(stack_.Call("POST", "/v1/events", "{\"events\": []}", token).status, 422);
  EXPECT_EQ(stack_.Call("POST", "/v1/events", R"({"events": [{}]})", "").status, 401);
  EXPECT_EQ(stack_.Call("POST", "/v1/events", R"({"events": [{}]})", "not-a-token").status, 401);

  json::array too_many;
  for (int i = 0; i < 1001; ++i)
    too_many.push_back(MakeEvent("page_view", {{"section", "home"}}));
  EXPECT_EQ(stack_.Post(too_many, token).status, 413);
  EXPECT_EQ(stack_.Post({MakeEvent("search", {{"query", std::string(2 << 20, 'x')}, {"results", 1}})}, token)
                .status,
            413);  // beyond http.max_body_bytes

  const std::vector<std::pair<json::object, std::string>> invalid = {
      {MakeEvent("teleport", {{"movie_id", movie}}), "unknown_type"},
      {MakeEvent("like", {}), "missing_field"},
      {MakeEvent("like", {{"movie_id", "1"}}), "invalid_field"},
      {MakeEvent("like", {{"movie_id", movie}, {"user_id", viewer + 1}}), "forbidden"},
      {MakeEvent("like", {{"movie_id", 999999999}}), "unknown_movie"},
      {MakeEvent("like", {{"movie_id", movie}}, 3600 * 1000), "invalid_field"},               // future
      {MakeEvent("like", {{"movie_id", movie}}, -30LL * 24 * 3600 * 1000), "invalid_field"},  // ancient
      {MakeEvent("search", {{"query", std::string(600, 'q')}, {"results", 1}}), "invalid_field"},
      {MakeEvent("search", {{"query", std::string("a\0b", 3)}, {"results", 1}}), "invalid_field"},
      {MakeEvent("view_progress", {{"movie_id", movie}, {"session_id", "s"}, {"position", -5}}),
       "invalid_field"},
      {MakeEvent("like", {{"movie_id", movie}}, 0, "not-a-uuid"), "invalid_field"},
  };
  for (const auto& [event, code] : invalid) {
    auto alone = stack_.Post({event}, token);
    EXPECT_EQ(alone.status, 422) << json::serialize(event) << " -> " << alone.body;
    EXPECT_EQ(FirstErrorCode(alone), code) << json::serialize(event) << " -> " << alone.body;
  }

  // One bad event among good ones: 207, the good ones stored.
  json::array mixed{MakeEvent("page_view", {{"section", "home"}}), invalid[3].first,
                    MakeEvent("search", {{"query", "'; DROP TABLE views; -- \"é\" 🎬"}, {"results", 0}})};
  auto result = stack_.Post(mixed, token);
  ASSERT_EQ(result.status, 207) << result.body;
  const auto body = json::parse(result.body);
  EXPECT_EQ(body.at("accepted"), 2);
  EXPECT_EQ(body.at("errors").at(0).at("index"), 1);
  EXPECT_EQ(stack_.WaitClickHouse(
                "SELECT uniqExact(event_id) FROM ui_events WHERE user_id = " + std::to_string(viewer), "2"),
            "2");
  EXPECT_EQ(stack_.ClickHouseValue("SELECT query FROM ui_events WHERE event_type = 'search' AND user_id = "
                                   + std::to_string(viewer)),
            "\\'; DROP TABLE views; -- \"é\" 🎬");                 // TabSeparated escapes the quote
  EXPECT_EQ(stack_.Call("GET", "/healthz", "", "").status, 200);  // and the service is still up
}

TEST_F(CollectApiTest, LikeDislikeClearEndsWithNoReactionInAnyOrder) {
  const auto movie = stack_.CreateMovie("Reacted", {"Drama"});
  const auto [viewer, token] = stack_.NewViewer("react@example.com");
  const auto like = MakeEvent("like", {{"movie_id", movie}}, -3000);
  const auto dislike = MakeEvent("dislike", {{"movie_id", movie}}, -2000);
  const auto clear = MakeEvent("reaction_clear", {{"movie_id", movie}}, -1000);
  // Newest first, each in its own batch: an older event must never overwrite a newer one.
  for (const auto& event : {clear, dislike, like})
    ASSERT_EQ(stack_.Post({event}, token).status, 200);
  const auto sql = "SELECT value FROM reactions WHERE user_id = " + std::to_string(viewer);
  EXPECT_EQ(stack_.WaitPostgres(sql, "0"), "0");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let any late write land
  EXPECT_EQ(stack_.PostgresValue(sql), "0");
  EXPECT_EQ(stack_.WaitClickHouse(
                "SELECT uniqExact(event_id) FROM ui_events WHERE user_id = " + std::to_string(viewer), "3"),
            "3");
}

TEST(CollectRateLimitTest, AViewerBeyondTheRateGets429WithRetryAfter) {
  auto config = testing::CollectTestConfig();
  config.collect.viewer_events_per_s = 1;
  config.collect.max_batch_events = 20;  // burst = max(10 s x 1/s, 20) = 20 events
  CollectStack stack(config);
  const auto [viewer, token] = stack.NewViewer("rate@example.com");
  json::array batch;
  for (int i = 0; i < 20; ++i)
    batch.push_back(MakeEvent("page_view", {{"section", "home"}}));
  EXPECT_EQ(stack.Post(batch, token).status, 200);
  auto limited = stack.Post(batch, token);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_FALSE(limited.headers["retry-after"].empty());
  // An admin key has its own (unlimited by default) budget.
  for (auto& event : batch)
    event.as_object()["user_id"] = viewer;
  EXPECT_EQ(stack.Post(batch).status, 200);
}

}  // namespace
}  // namespace cinerec
