// The catalog API end to end: `cinerec serve` against a fresh migrated database, every endpoint and error.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "integration/accounts_test_client.h"
#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using testing::HttpCall;
using testing::HttpResult;
using testing::ServiceProcess;
namespace json = boost::json;

constexpr const char* kAdminKey = "test-admin-key-0123456789";

Config CatalogConfig() {
  auto config = testing::AccountsTestConfig();  // cheap password hashing for the viewer sign-up
  config.admin_api_keys = {kAdminKey};
  return config;
}

class CatalogApiTest : public ::testing::Test {
 protected:
  HttpResult Call(const std::string& method, const std::string& target, const std::string& body = "",
                  bool admin = true) {
    std::map<std::string, std::string> headers;
    if (admin) headers["Authorization"] = std::string("Bearer ") + kAdminKey;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return HttpCall(service_.port(), method, target, body, headers);
  }
  json::object Create(const json::object& movie) {
    auto result = Call("POST", "/v1/movies", json::serialize(movie));
    EXPECT_EQ(result.status, 201) << result.body;
    return json::parse(result.body).as_object();
  }
  static std::string ErrorCode(const HttpResult& result) {
    return std::string(json::parse(result.body).at("error").at("code").as_string());
  }
  static std::string ErrorMessage(const HttpResult& result) {
    return std::string(json::parse(result.body).at("error").at("message").as_string());
  }
  void Expect422(const HttpResult& result, const std::string& field) {
    EXPECT_EQ(result.status, 422) << result.body;
    if (result.status == 422) {
      EXPECT_EQ(ErrorCode(result), "invalid_field");
      EXPECT_EQ(ErrorMessage(result).rfind(field + ":", 0), 0u) << result.body;
    }
  }
  std::vector<std::string> ListTitles(const std::string& query) {
    auto result = Call("GET", "/v1/movies?" + query, "", false);
    EXPECT_EQ(result.status, 200) << result.body;
    std::vector<std::string> titles;
    const auto body = json::parse(result.body);
    for (const auto& item : body.at("items").as_array())
      titles.emplace_back(item.at("title").as_string());
    return titles;
  }

  ServiceProcess service_{CatalogConfig()};
};

TEST_F(CatalogApiTest, CreateGetPatchDelete) {
  auto result = Call("POST", "/v1/movies",
                     R"({"title": "Heat", "year": 1995, "genres": ["Crime", "Action"], "duration_s": 10200,
                         "age_rating": "R", "available_tiers": ["basic", "premium"],
                         "extra": {"ids": {"imdb": "tt0113277"}}, "description": "A heist in Los Angeles"})");
  ASSERT_EQ(result.status, 201) << result.body;
  auto movie = json::parse(result.body).as_object();
  const auto id = movie.at("id").as_int64();
  EXPECT_EQ(result.headers["location"], "/v1/movies/" + std::to_string(id));
  EXPECT_EQ(movie.at("genres"), json::parse(R"(["Action", "Crime"])"));
  EXPECT_EQ(movie.at("original_title"), nullptr);
  EXPECT_EQ(movie.at("extra").at("ids").at("imdb"), "tt0113277");

  auto got = Call("GET", "/v1/movies/" + std::to_string(id), "", false);  // public
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(json::parse(got.body), json::value(movie));

  auto patched =
      Call("PATCH", "/v1/movies/" + std::to_string(id), R"j({"title": "Heat (1995)", "year": null})j");
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto after = json::parse(patched.body);
  EXPECT_EQ(after.at("title"), "Heat (1995)");
  EXPECT_EQ(after.at("year"), nullptr);
  EXPECT_EQ(after.at("duration_s"), 10200);
  EXPECT_EQ(after.at("genres"), movie.at("genres"));

  auto deleted = Call("DELETE", "/v1/movies/" + std::to_string(id));
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(Call("GET", "/v1/movies/" + std::to_string(id), "", false).status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/movies/" + std::to_string(id)).status, 404);
  EXPECT_EQ(Call("PATCH", "/v1/movies/" + std::to_string(id), R"({"title": "x"})").status, 404);
  EXPECT_TRUE(ListTitles("").empty());
}

TEST_F(CatalogApiTest, UnknownAndMalformedIds) {
  auto unknown = Call("GET", "/v1/movies/987654321", "", false);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(unknown), "not_found");
  for (const char* id : {"abc", "0", "-1", "1.5", "99999999999999999999", "+3"}) {
    auto bad = Call("GET", std::string("/v1/movies/") + id, "", false);
    EXPECT_EQ(bad.status, 400) << id << " " << bad.body;
  }
  EXPECT_EQ(Call("PATCH", "/v1/movies/abc", R"({"title": "x"})").status, 400);
  EXPECT_EQ(Call("DELETE", "/v1/movies/abc").status, 400);
}

TEST_F(CatalogApiTest, AdminEndpointsNeedAnAdminToken) {
  auto id = std::to_string(Create({{"title", "Guarded"}}).at("id").as_int64());
  const std::vector<std::pair<std::string, std::string>> admin_calls = {
      {"POST", "/v1/movies"}, {"PATCH", "/v1/movies/" + id}, {"DELETE", "/v1/movies/" + id}};
  for (const auto& [method, target] : admin_calls) {
    auto anonymous = Call(method, target, R"({"title": "x"})", false);
    EXPECT_EQ(anonymous.status, 401) << method << " " << target;
    EXPECT_EQ(ErrorCode(anonymous), "unauthorized");
    auto wrong = HttpCall(service_.port(), method, target, R"({"title": "x"})",
                          {{"Authorization", "Bearer not-the-admin-key-0000000"}});
    EXPECT_EQ(wrong.status, 401) << method << " " << target;
    auto malformed =
        HttpCall(service_.port(), method, target, R"({"title": "x"})", {{"Authorization", "Basic x"}});
    EXPECT_EQ(malformed.status, 401) << method << " " << target;
  }
  EXPECT_EQ(json::parse(Call("GET", "/v1/movies/" + id).body).at("title"), "Guarded") << "nothing changed";
}

TEST_F(CatalogApiTest, ViewersMayReadButNotChange) {
  auto id = std::to_string(Create({{"title", "Watched"}}).at("id").as_int64());
  testing::AccountsClient accounts(service_.port());
  const auto token = accounts.NewViewer(testing::UniqueName() + "@example.com").second;
  ASSERT_FALSE(token.empty());
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/movies"}, {"PATCH", "/v1/movies/" + id}, {"DELETE", "/v1/movies/" + id}}) {
    auto refused = accounts.Call(method, target, R"({"title": "x"})", token);
    EXPECT_EQ(refused.status, 403) << method << " " << target << " " << refused.body;
    EXPECT_EQ(ErrorCode(refused), "forbidden");
  }
  EXPECT_EQ(accounts.Call("GET", "/v1/movies/" + id, "", token).status, 200);
  EXPECT_EQ(accounts.Call("GET", "/v1/movies?q=watched", "", token).status, 200);
  EXPECT_EQ(json::parse(Call("GET", "/v1/movies/" + id).body).at("title"), "Watched");
  EXPECT_EQ(ListTitles(""), std::vector<std::string>{"Watched"}) << "nothing created";
}

TEST_F(CatalogApiTest, BadJsonIs400AndBadFieldsAre422NamingThem) {
  for (const char* body : {"", "{", "not json", "[]", R"({"title": "a",})"}) {
    auto result = Call("POST", "/v1/movies", body);
    EXPECT_EQ(result.status, 400) << body << " " << result.body;
    EXPECT_EQ(ErrorCode(result), "bad_request");
  }
  Expect422(Call("POST", "/v1/movies", R"({"year": 2000})"), "title");
  Expect422(Call("POST", "/v1/movies", R"({"title": ""})"), "title");
  Expect422(Call("POST", "/v1/movies", R"({"title": ")" + std::string(301, 'a') + "\"}"), "title");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "year": 1700})"), "year");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "genres": ["Drama", "Cyberpunk"]})"), "genres");
  EXPECT_NE(ErrorMessage(Call("POST", "/v1/movies", R"({"title": "a", "genres": ["Cyberpunk"]})"))
                .find("Cyberpunk"),
            std::string::npos);
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "available_tiers": ["gold"]})"), "available_tiers");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "age_rating": "18+"})"), "age_rating");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "extra": "text"})"), "extra");
  Expect422(
      Call("POST", "/v1/movies", R"({"title": "a", "extra": {"k": ")" + std::string(17000, 'x') + "\"}}"),
      "extra");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "duration_s": -5})"), "duration_s");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "rating": 5})"), "rating");

  auto id = std::to_string(Create({{"title", "Target"}}).at("id").as_int64());
  EXPECT_EQ(Call("PATCH", "/v1/movies/" + id, "{oops").status, 400);
  Expect422(Call("PATCH", "/v1/movies/" + id, R"({"title": null})"), "title");
  Expect422(Call("PATCH", "/v1/movies/" + id, R"({"genres": ["Nope"]})"), "genres");
  EXPECT_EQ(json::parse(Call("GET", "/v1/movies/" + id).body).at("title"), "Target");
}

TEST_F(CatalogApiTest, HostileStringsRoundTripVerbatimAndNulIsRefused) {
  const std::string title = "Robert'); DROP TABLE movies; -- \"quoted\" \\ % _ {x,y} Amélie 日本 🎬";
  const std::string description = "SELECT * FROM users WHERE '1'='1'; \\N\t\r\n<script>alert(1)</script>";
  json::object extra = {{"sql", "'; DELETE FROM genres; --"}, {"nested", {{"ü", json::array{"\"", "\\"}}}}};
  auto created = Create({{"title", title}, {"description", description}, {"extra", extra}});
  auto got = json::parse(Call("GET", "/v1/movies/" + std::to_string(created.at("id").as_int64())).body);
  EXPECT_EQ(got.at("title"), title.c_str());
  EXPECT_EQ(got.at("description"), description.c_str());
  EXPECT_EQ(got.at("extra"), json::value(extra));
  EXPECT_EQ(Call("GET", "/v1/genres", "", false).status, 200) << "genres survived";

  Expect422(Call("POST", "/v1/movies", R"({"title": "nul\u0000byte"})"), "title");
  Expect422(Call("POST", "/v1/movies", R"({"title": "a", "extra": {"k": "\u0000"}})"), "extra");
  Expect422(Call("PATCH", "/v1/movies/" + std::to_string(created.at("id").as_int64()),
                 R"({"description": "x\u0000"})"),
            "description");
  Expect422(Call("GET", "/v1/movies?q=a%00b", "", false), "q");
  Expect422(Call("GET", "/v1/movies?genre=%FF", "", false), "genre");
}

TEST_F(CatalogApiTest, PaginationWalksEveryPageExactlyOnce) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 23; ++i)
    ids.push_back(Create({{"title", "Movie " + std::to_string(i)}}).at("id").as_int64());
  std::vector<std::int64_t> seen;
  std::string target = "/v1/movies?limit=5";
  int pages = 0;
  for (; pages < 20; ++pages) {
    auto result = Call("GET", target, "", false);
    ASSERT_EQ(result.status, 200) << result.body;
    auto body = json::parse(result.body);
    EXPECT_LE(body.at("items").as_array().size(), 5u);
    for (const auto& item : body.at("items").as_array())
      seen.push_back(item.at("id").as_int64());
    if (body.at("next_cursor").is_null()) break;
    target = "/v1/movies?limit=5&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(pages + 1, 5);
  EXPECT_EQ(seen, ids);

  auto all = json::parse(Call("GET", "/v1/movies", "", false).body);
  EXPECT_EQ(all.at("items").as_array().size(), 20u) << "default limit";
  EXPECT_FALSE(all.at("next_cursor").is_null());

  EXPECT_EQ(Call("GET", "/v1/movies?cursor=not-a-cursor", "", false).status, 400);
  EXPECT_EQ(Call("GET", "/v1/movies?cursor=%2F%2F%2F", "", false).status, 400);
  Expect422(Call("GET", "/v1/movies?limit=0", "", false), "limit");
  Expect422(Call("GET", "/v1/movies?limit=101", "", false), "limit");
  Expect422(Call("GET", "/v1/movies?limit=ten", "", false), "limit");
  Expect422(Call("GET", "/v1/movies?year_from=1990&year_to=1980", "", false), "year_from");
  Expect422(Call("GET", "/v1/movies?year_to=soon", "", false), "year_to");
}

TEST_F(CatalogApiTest, FiltersAndFullTextSearch) {
  Create({{"title", "Alien"},
          {"year", 1979},
          {"genres", json::array{"Horror", "Sci-Fi"}},
          {"description", "The crew of a towing spaceship meets a creature"}});
  Create({{"title", "Aliens"},
          {"year", 1986},
          {"genres", json::array{"Action", "Sci-Fi"}},
          {"description", "Colonial marines fight back"}});
  Create({{"title", "Heat"},
          {"year", 1995},
          {"genres", json::array{"Crime"}},
          {"description", "A heist crew in LA"}});
  Create({{"title", "It"},
          {"year", 2017},
          {"genres", json::array{"Horror"}},
          {"description", "A clown in Derry"}});

  EXPECT_EQ(ListTitles("genre=Sci-Fi"), (std::vector<std::string>{"Alien", "Aliens"}));
  EXPECT_EQ(ListTitles("year_from=1980&year_to=1995"), (std::vector<std::string>{"Aliens", "Heat"}));
  EXPECT_EQ(ListTitles("q=spaceship"), std::vector<std::string>{"Alien"}) << "by a description word";
  EXPECT_EQ(ListTitles("q=aliens"), std::vector<std::string>{"Aliens"}) << "by title, any case";
  EXPECT_EQ(ListTitles("q=it"), std::vector<std::string>{"It"}) << "stop words are searchable";
  EXPECT_EQ(ListTitles("q=crew"), (std::vector<std::string>{"Alien", "Heat"}));
  EXPECT_EQ(ListTitles("q=crew%20-heist"), std::vector<std::string>{"Alien"}) << "web-search syntax";
  EXPECT_EQ(ListTitles("q=crew&genre=Crime"), std::vector<std::string>{"Heat"});
  EXPECT_TRUE(ListTitles("q=zeppelin").empty());

  auto unknown = Call("GET", "/v1/movies?genre=Cyberpunk", "", false);
  Expect422(unknown, "genre");
  EXPECT_NE(ErrorMessage(unknown).find("Cyberpunk"), std::string::npos);
}

TEST_F(CatalogApiTest, GenresAreListed) {
  auto result = Call("GET", "/v1/genres", "", false);
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = json::parse(result.body);
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 19u);
  EXPECT_EQ(items[0], json::parse(R"({"id": 1, "name": "Action"})"));
  std::set<std::string> names;
  for (const auto& item : items)
    names.emplace(item.at("name").as_string());
  EXPECT_TRUE(names.count("Film-Noir"));
}

}  // namespace
}  // namespace cinerec
