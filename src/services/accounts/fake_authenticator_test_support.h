#pragma once
// For route unit tests: an Authenticator without stores. Bearer "admin" is an admin, "viewer" is user 7
// (session "s"), no token is anonymous, anything else is an unknown token (401).
#include <optional>

#include "common/errors.h"
#include "services/accounts/authenticator.h"

namespace cinerec::accounts::testing_support {

class FakeAuthenticator final : public Authenticator {
 public:
  std::optional<Principal> Authenticate(const http::Request& request) override {
    auto token = BearerToken(request);
    if (!token) return std::nullopt;
    if (*token == "admin") return Principal{0, Role::kAdmin, ""};
    if (*token == "viewer") return Principal{7, Role::kViewer, "s"};
    throw Unauthorized("unknown token");
  }
};

}  // namespace cinerec::accounts::testing_support
