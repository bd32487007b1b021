#include "http/router.h"

#include <gtest/gtest.h>

namespace cinerec::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return Response::Text(200, name); };
}

Request Make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, MatchesLiteralAndParameterisedPaths) {
  Router router;
  router.Add("GET", "/v1/movies", Named("list"));
  router.Add("GET", "/v1/movies/{id}", Named("one"));
  router.Add("GET", "/v1/movies/{id}/similar", Named("similar"));
  auto r = Make("GET", "/v1/movies/42/similar");
  auto match = router.Match(r);
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/movies/{id}/similar");
  EXPECT_EQ(r.PathParam("id"), "42");
}

TEST(RouterTest, LiteralSegmentWinsOverParameter) {
  Router router;
  router.Add("GET", "/v1/users/{id}", Named("user"));
  router.Add("GET", "/v1/users/me", Named("me"));
  auto r = Make("GET", "/v1/users/me");
  EXPECT_EQ(router.Match(r).route->pattern, "/v1/users/me");
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Router router;
  router.Add("GET", "/v1/movies", Named("list"));
  router.Add("POST", "/v1/movies", Named("create"));
  auto unknown = Make("GET", "/v1/nothing");
  EXPECT_EQ(router.Match(unknown).status, 404);
  auto wrong = Make("DELETE", "/v1/movies");
  auto match = router.Match(wrong);
  EXPECT_EQ(match.status, 405);
  EXPECT_EQ(match.allow, "GET, POST");
}

TEST(RouterTest, EmptyParameterAndExtraSegmentsDoNotMatch) {
  Router router;
  router.Add("GET", "/v1/movies/{id}", Named("one"));
  auto empty = Make("GET", "/v1/movies/");
  EXPECT_EQ(router.Match(empty).status, 404);
  auto longer = Make("GET", "/v1/movies/1/2");
  EXPECT_EQ(router.Match(longer).status, 404);
}

TEST(RouterTest, RejectsDuplicateAndMalformedRoutes) {
  Router router;
  router.Add("GET", "/a", Named("a"));
  EXPECT_THROW(router.Add("GET", "/a", Named("again")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "a", Named("no slash")), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::http
