// The accounts API end to end: `cinerec serve` against the real test stack, one isolated config per test.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "integration/accounts_test_client.h"

namespace cinerec {
namespace {

using testing::AccountsClient;
using testing::ErrorField;
using testing::kTestAdminKey;

class AccountsApiTest : public ::testing::Test {
 protected:
  void Start(Config config = testing::AccountsTestConfig()) {
    service_ = std::make_unique<testing::ServiceProcess>(config);
    client_ = std::make_unique<AccountsClient>(service_->port());
  }
  void SetUp() override { Start(); }
  const AccountsClient& api() const { return *client_; }

  std::unique_ptr<testing::ServiceProcess> service_;
  std::unique_ptr<AccountsClient> client_;
};

boost::json::object Json(const testing::HttpResult& r) {
  return boost::json::parse(r.body).as_object();
}

TEST_F(AccountsApiTest, SignUpLoginMeAndDuplicateEmail) {
  auto signup = api().Call("POST", "/v1/auth/signup",
                           R"({"email":"Ann@Example.com","password":"a long enough password",)"
                           R"("display_name":"Ann","profile":{"country":"DE","language":"de",)"
                           R"("birth_year":1990,"favourite_genres":["Drama"]}})");
  ASSERT_EQ(signup.status, 201) << signup.body;
  auto user = Json(signup);
  EXPECT_EQ(user.at("email"), "ann@example.com");
  EXPECT_EQ(user.at("subscription").at("plan"), "free");
  EXPECT_EQ(user.at("profile").at("country"), "DE");
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_EQ(signup.body.find("argon2"), std::string::npos);

  EXPECT_EQ(api().SignUp("ANN@example.com").status, 409);

  auto login = api().Login("ann@EXAMPLE.com");
  ASSERT_EQ(login.status, 200) << login.body;
  auto token = std::string(Json(login).at("token").as_string());
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(Json(login).contains("expires_at"));
  auto me = api().Call("GET", "/v1/me", "", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Json(me).at("id"), user.at("id"));
  EXPECT_EQ(Json(me).at("display_name"), "Ann");
}

TEST_F(AccountsApiTest, ValidationErrorsNameTheFieldAndBadJsonIs400) {
  EXPECT_EQ(api().Call("POST", "/v1/auth/signup", "{not json").status, 400);
  EXPECT_EQ(api().Call("POST", "/v1/auth/signup", "[1,2]").status, 400);
  auto missing = api().Call("POST", "/v1/auth/signup", R"({"email":"a@b.io","display_name":"A"})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(ErrorField(missing), "password");
  auto weak = api().SignUp("weak@b.io", "A", "short");
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(ErrorField(weak), "password");
  auto email = api().SignUp("not-an-email", "A");
  EXPECT_EQ(email.status, 422);
  EXPECT_EQ(ErrorField(email), "email");
  auto country = api().Call("POST", "/v1/auth/signup",
                            R"({"email":"c@b.io","password":"a long enough password","display_name":"C",)"
                            R"("profile":{"country":"Germany"}})");
  EXPECT_EQ(country.status, 422);
  EXPECT_EQ(ErrorField(country), "profile.country");
}

TEST_F(AccountsApiTest, StringsAreStoredVerbatimAndNulIsRejected) {
  const std::string name = "O'Brien \"Bobby\" '); DROP TABLE users; -- Zoë 映画 🎬";
  auto signup = api().SignUp("quotes@example.com", name);
  ASSERT_EQ(signup.status, 201) << signup.body;
  auto [id, token] = api().NewViewer("quotes2@example.com");
  auto patch =
      api().Call("PATCH", "/v1/me",
                 boost::json::serialize(boost::json::object{
                     {"display_name", name},
                     {"profile", boost::json::object{{"favourite_genres", boost::json::array{name}}}}}),
                 token);
  ASSERT_EQ(patch.status, 200) << patch.body;
  auto me = Json(api().Call("GET", "/v1/me", "", token));
  EXPECT_EQ(me.at("display_name").as_string(), name);
  EXPECT_EQ(me.at("profile").at("favourite_genres").at(0).as_string(), name);
  EXPECT_EQ(Json(signup).at("display_name").as_string(), name);

  auto nul = api().Call("PATCH", "/v1/me", R"({"display_name":"a\u0000b"})", token);
  EXPECT_EQ(nul.status, 422) << nul.body;
  EXPECT_EQ(ErrorField(nul), "display_name");
  auto nul_password = api().Call("POST", "/v1/auth/signup",
                                 R"({"email":"n@b.io","password":"0123456789\u0000x","display_name":"N"})");
  EXPECT_EQ(nul_password.status, 422);
  EXPECT_EQ(ErrorField(nul_password), "password");
}

TEST_F(AccountsApiTest, WrongPasswordAndUnknownEmailAreTheSame401) {
  api().SignUp("known@example.com");
  auto wrong = api().Login("known@example.com", "not the password at all");
  auto unknown = api().Login("unknown@example.com");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(api().Call("GET", "/v1/me").status, 401);
  EXPECT_EQ(api().Call("GET", "/v1/me", "", "made-up-token").status, 401);
}

TEST_F(AccountsApiTest, ViewerAccessAdminOnlyEndpointsAnd404) {
  auto [ann, ann_token] = api().NewViewer("ann@example.com");
  auto [bob, bob_token] = api().NewViewer("bob@example.com");
  const auto ann_path = "/v1/users/" + std::to_string(ann);
  EXPECT_EQ(api().Call("GET", ann_path, "", ann_token).status, 200);
  EXPECT_EQ(api().Call("GET", ann_path, "", bob_token).status, 403);
  EXPECT_EQ(api().Call("DELETE", ann_path, "", bob_token).status, 403);
  EXPECT_EQ(api().Call("DELETE", ann_path, "", ann_token).status, 403);  // admin-only, even on oneself
  EXPECT_EQ(api().Call("PATCH", ann_path + "/subscription", R"({"plan":"premium"})", ann_token).status, 403);

  EXPECT_EQ(api().Call("GET", ann_path, "", kTestAdminKey).status, 200);
  EXPECT_EQ(api().Call("GET", "/v1/users/999999", "", kTestAdminKey).status, 404);
  EXPECT_EQ(api().Call("GET", "/v1/users/abc", "", kTestAdminKey).status, 404);
  EXPECT_EQ(api().Call("DELETE", "/v1/users/999999", "", kTestAdminKey).status, 404);
  EXPECT_EQ(api().Call("PATCH", "/v1/users/999999/subscription", R"({"plan":"basic"})", kTestAdminKey).status,
            404);
  (void)bob;
}

TEST_F(AccountsApiTest, AdminChangesSubscriptionWithValidation) {
  auto [id, token] = api().NewViewer("sub@example.com");
  const auto path = "/v1/users/" + std::to_string(id) + "/subscription";
  auto bad_plan = api().Call("PATCH", path, R"({"plan":"gold"})", kTestAdminKey);
  EXPECT_EQ(bad_plan.status, 422);
  EXPECT_EQ(ErrorField(bad_plan), "plan");
  auto bad_time = api().Call("PATCH", path, R"({"expires_at":"tomorrow"})", kTestAdminKey);
  EXPECT_EQ(bad_time.status, 422);
  EXPECT_EQ(ErrorField(bad_time), "expires_at");
  EXPECT_EQ(api().Call("PATCH", path, "{oops", kTestAdminKey).status, 400);
  auto ok =
      api().Call("PATCH", path, R"({"plan":"premium","status":"active","expires_at":"2099-01-01T00:00:00Z"})",
                 kTestAdminKey);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok).at("subscription").at("plan"), "premium");
  EXPECT_EQ(Json(ok).at("subscription").at("tier"), "premium");
  auto cancelled = api().Call("PATCH", path, R"({"status":"cancelled"})", kTestAdminKey);
  EXPECT_EQ(Json(cancelled).at("subscription").at("tier"), "free");
}

TEST_F(AccountsApiTest, LogoutAndPasswordChangeRevokeTokens) {
  auto [id, first] = api().NewViewer("rev@example.com");
  auto second = std::string(Json(api().Login("rev@example.com")).at("token").as_string());
  auto third = std::string(Json(api().Login("rev@example.com")).at("token").as_string());

  EXPECT_EQ(api().Call("POST", "/v1/auth/logout", "", first).status, 204);
  EXPECT_EQ(api().Call("GET", "/v1/me", "", first).status, 401);
  EXPECT_EQ(api().Call("GET", "/v1/me", "", second).status, 200);

  auto wrong_old =
      api().Call("POST", "/v1/me/password",
                 R"({"old_password":"not it at all!","new_password":"a brand new password"})", second);
  EXPECT_EQ(wrong_old.status, 422);
  EXPECT_EQ(ErrorField(wrong_old), "old_password");
  auto change = api().Call(
      "POST", "/v1/me/password",
      R"({"old_password":"a long enough password","new_password":"a brand new password"})", second);
  EXPECT_EQ(change.status, 204) << change.body;
  EXPECT_EQ(api().Call("GET", "/v1/me", "", second).status, 200);  // the session that changed it stays
  EXPECT_EQ(api().Call("GET", "/v1/me", "", third).status, 401);
  EXPECT_EQ(api().Login("rev@example.com").status, 401);
  EXPECT_EQ(api().Login("rev@example.com", "a brand new password").status, 200);
  (void)id;
}

TEST_F(AccountsApiTest, ErasureRemovesTheAccountEverywhere) {
  auto [id, token] = api().NewViewer("gone@example.com");
  auto [other, other_token] = api().NewViewer("gone2@example.com");
  auto erased = api().Call("DELETE", "/v1/me", "", token);
  EXPECT_EQ(erased.status, 204) << erased.body;
  EXPECT_EQ(api().Call("GET", "/v1/me", "", token).status, 401);
  EXPECT_EQ(api().Login("gone@example.com").status, 401);
  EXPECT_EQ(api().Call("GET", "/v1/users/" + std::to_string(id), "", kTestAdminKey).status, 404);

  EXPECT_EQ(api().Call("DELETE", "/v1/users/" + std::to_string(other), "", kTestAdminKey).status, 204);
  EXPECT_EQ(api().Call("GET", "/v1/me", "", other_token).status, 401);
  EXPECT_EQ(api().SignUp("gone@example.com").status, 201);  // the e-mail is free again
}

TEST_F(AccountsApiTest, LoginIsRateLimitedPerAccountAndPerAddress) {
  auto config = testing::AccountsTestConfig();
  config.accounts.login_max_failures = 3;
  service_.reset();
  Start(config);
  api().SignUp("limited@example.com");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(api().Login("limited@example.com", "wrong password!!").status, 401);
  auto limited = api().Login("limited@example.com");  // even the right password waits
  EXPECT_EQ(limited.status, 429) << limited.body;
  ASSERT_TRUE(limited.headers.contains("retry-after"));
  EXPECT_GT(std::stoi(limited.headers.at("retry-after")), 0);
  // Same address (127.0.0.1), another account: blocked by the per-address counter.
  api().SignUp("other@example.com");
  EXPECT_EQ(api().Login("other@example.com").status, 429);
}

TEST_F(AccountsApiTest, ShortTtlSessionsExpireWhenIdle) {
  auto config = testing::AccountsTestConfig();
  config.accounts.session_ttl_s = 2;
  service_.reset();
  Start(config);
  auto [id, token] = api().NewViewer("ttl@example.com");
  for (int i = 0; i < 3; ++i) {  // used every second: slides past its 2 s TTL
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_EQ(api().Call("GET", "/v1/me", "", token).status, 200) << "use " << i;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  EXPECT_EQ(api().Call("GET", "/v1/me", "", token).status, 401);
  (void)id;
}

}  // namespace
}  // namespace cinerec
