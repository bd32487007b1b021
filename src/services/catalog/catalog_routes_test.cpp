// The handlers over the in-memory repository: status codes and access rules (admin, viewer, anonymous)
// without servers; tests/integration/catalog_api_itest.cpp repeats them against `cinerec serve`.
#include "services/catalog/catalog_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "catalog/in_memory_movie_repository.h"
#include "common/errors.h"
#include "services/accounts/authenticator.h"
#include "services/accounts/fake_authenticator_test_support.h"

namespace cinerec {
namespace {

namespace json = boost::json;

using accounts::testing_support::FakeAuthenticator;  // "admin", "viewer"; else unknown

class CatalogRoutesTest : public ::testing::Test {
 protected:
  CatalogRoutesTest() { RegisterCatalogRoutes(router_, movies_, auth_); }

  // Runs the request as the server would: an ApiError becomes its status.
  http::Response Call(const std::string& method, const std::string& path, const std::string& token = "",
                      const std::string& body = "", std::map<std::string, std::string> query = {}) {
    http::Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.query = std::move(query);
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    auto match = router_.Match(request);
    if (!match.route) return http::Response::Error(match.status, "routing", "");
    try {
      return match.route->handler(request);
    } catch (const ApiError& e) {
      return http::Response::Error(e.status(), e.code(), e.what());
    }
  }

  http::Router router_;
  catalog::InMemoryMovieRepository movies_;
  FakeAuthenticator auth_;
};

TEST_F(CatalogRoutesTest, AdminEndpointsRefuseViewersAndAnonymousCallers) {
  auto created = Call("POST", "/v1/movies", "admin", R"({"title": "Up"})");
  ASSERT_EQ(created.status, 201) << created.body;
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/movies"}, {"PATCH", "/v1/movies/1"}, {"DELETE", "/v1/movies/1"}}) {
    EXPECT_EQ(Call(method, path, "viewer", R"({"title": "x"})").status, 403) << method << " " << path;
    EXPECT_EQ(Call(method, path, "", R"({"title": "x"})").status, 401) << method << " " << path;
    EXPECT_EQ(Call(method, path, "forged", R"({"title": "x"})").status, 401) << method << " " << path;
  }
  EXPECT_EQ(Call("GET", "/v1/movies/1", "viewer").status, 200);
  EXPECT_EQ(Call("GET", "/v1/movies", "viewer").status, 200);
  EXPECT_EQ(Call("GET", "/v1/genres").status, 200);
  EXPECT_EQ(json::parse(Call("GET", "/v1/movies/1").body).at("title"), "Up") << "unchanged by the refusals";
}

TEST_F(CatalogRoutesTest, CreateAnswers201WithLocation) {
  auto created = Call("POST", "/v1/movies", "admin", R"({"title": "Up", "genres": ["Animation"]})");
  ASSERT_EQ(created.status, 201);
  ASSERT_EQ(created.headers.size(), 1u);
  EXPECT_EQ(created.headers[0], (std::pair<std::string, std::string>{"Location", "/v1/movies/1"}));
}

TEST_F(CatalogRoutesTest, QueryParametersAreChecked) {
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"limit", "0"}}).status, 422);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"limit", "100"}}).status, 200);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"limit", "5x"}}).status, 422);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"cursor", "zzz"}}).status, 400);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"genre", "Nope"}}).status, 422);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"q", std::string(201, 'a')}}).status, 422);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"q", std::string("a\0b", 3)}}).status, 422);
  EXPECT_EQ(Call("GET", "/v1/movies", "", "", {{"q", ""}, {"genre", ""}}).status, 200) << "empty = absent";
}

TEST_F(CatalogRoutesTest, DeleteIs204ThenNotFound) {
  Call("POST", "/v1/movies", "admin", R"({"title": "Gone"})");
  EXPECT_EQ(Call("DELETE", "/v1/movies/1", "admin").status, 204);
  EXPECT_EQ(Call("DELETE", "/v1/movies/1", "admin").status, 404);
  EXPECT_EQ(Call("GET", "/v1/movies/1").status, 404);
}

}  // namespace
}  // namespace cinerec
