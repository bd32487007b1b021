#include "services/accounts/authenticator.h"

#include <gtest/gtest.h>

namespace cinerec {
namespace {

http::Request WithAuthorization(std::string value) {
  http::Request r;
  r.headers.emplace_back("authorization", std::move(value));
  return r;
}

TEST(ApiKeyAuthenticatorTest, AdminKeyGivesAdminAndOthersAre401) {
  ApiKeyAuthenticator auth({"admin-key-0123456789"});
  auto principal = auth.Authenticate(WithAuthorization("Bearer admin-key-0123456789"));
  ASSERT_TRUE(principal);
  EXPECT_TRUE(principal->is_admin());
  EXPECT_THROW(auth.Authenticate(WithAuthorization("Bearer admin-key-0123456780")), ApiError);
  EXPECT_THROW(auth.Authenticate(WithAuthorization("Basic abc")), ApiError);
  EXPECT_FALSE(auth.Authenticate(http::Request{}));
  EXPECT_THROW(auth.Require(http::Request{}), ApiError);
}

TEST(PrincipalTest, ViewerReachesOnlyOwnData) {
  Principal viewer{7, Role::kViewer, "s"};
  EXPECT_NO_THROW(RequireUserAccess(viewer, 7));
  EXPECT_THROW(RequireUserAccess(viewer, 8), ApiError);
  EXPECT_THROW(RequireAdmin(viewer), ApiError);
  EXPECT_NO_THROW(RequireUserAccess(Principal{0, Role::kAdmin, ""}, 8));
}

}  // namespace
}  // namespace cinerec
