#include "services/accounts/session_authenticator.h"

#include "accounts/token.h"

namespace cinerec {

std::optional<Principal> SessionAuthenticator::Authenticate(const http::Request& request) {
  auto token = BearerToken(request);
  if (!token) return std::nullopt;
  if (api_keys_.IsAdminKey(*token)) return Principal{0, Role::kAdmin, ""};
  auto session = sessions_.Resolve(*token);
  if (!session) throw Unauthorized("unknown or expired token");
  return Principal{session->user_id, session->role == "admin" ? Role::kAdmin : Role::kViewer,
                   accounts::HexDigest(session->digest)};
}

}  // namespace cinerec
