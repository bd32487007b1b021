#pragma once
// Helpers for the accounts end-to-end tests: a `cinerec serve` on an isolated config with cheap password
// hashing, and one-line calls for sign-up, login and authenticated requests.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec::testing {

inline constexpr const char* kTestAdminKey = "accounts-test-admin-key-0123456789";
inline constexpr const char* kTestPassword = "a long enough password";

// IsolatedConfig() with an admin API key and Argon2 costs low enough for tests.
inline Config AccountsTestConfig() {
  auto config = IsolatedConfig();
  config.admin_api_keys = {kTestAdminKey};
  config.accounts.argon2_memory_kib = 1024;
  config.accounts.argon2_time_cost = 1;
  return config;
}

class AccountsClient {
 public:
  explicit AccountsClient(unsigned short port) : port_(port) {}

  HttpResult Call(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::string& token = "") const {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return HttpCall(port_, method, target, body, headers);
  }
  HttpResult SignUp(const std::string& email, const std::string& display_name = "Viewer",
                    const std::string& password = kTestPassword) const {
    boost::json::object body{{"email", email}, {"password", password}, {"display_name", display_name}};
    return Call("POST", "/v1/auth/signup", boost::json::serialize(body));
  }
  HttpResult Login(const std::string& email, const std::string& password = kTestPassword) const {
    boost::json::object body{{"email", email}, {"password", password}};
    return Call("POST", "/v1/auth/login", boost::json::serialize(body));
  }
  // Signs up and logs in; returns {user id, token}. Fails the test on an unexpected status.
  std::pair<std::int64_t, std::string> NewViewer(const std::string& email) const {
    auto signup = SignUp(email);
    EXPECT_EQ(signup.status, 201) << signup.body;
    auto login = Login(email);
    EXPECT_EQ(login.status, 200) << login.body;
    auto body = boost::json::parse(login.body).as_object();
    return {body.at("user").at("id").as_int64(), std::string(body.at("token").as_string())};
  }

 private:
  unsigned short port_;
};

// The "field" of a 422 error: the part of the message before ':'.
inline std::string ErrorField(const HttpResult& result) {
  auto message = std::string(boost::json::parse(result.body).at("error").at("message").as_string());
  return message.substr(0, message.find(':'));
}

}  // namespace cinerec::testing
