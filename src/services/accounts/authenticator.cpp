#include "services/accounts/authenticator.h"

#include <openssl/crypto.h>

namespace cinerec {

Principal Authenticator::Require(const http::Request& request) {
  auto principal = Authenticate(request);
  if (!principal) throw Unauthorized("this endpoint needs 'Authorization: Bearer <token>'");
  return *principal;
}

std::optional<std::string> BearerToken(const http::Request& request) {
  auto header = request.Header("authorization");
  if (!header) return std::nullopt;
  constexpr std::string_view kScheme = "Bearer ";
  if (header->size() <= kScheme.size() || header->substr(0, kScheme.size()) != kScheme)
    throw Unauthorized("the Authorization header must be 'Bearer <token>'");
  std::string token(header->substr(kScheme.size()));
  if (token.size() > 512) throw Unauthorized("the bearer token is too long");
  return token;
}

bool ApiKeyAuthenticator::IsAdminKey(const std::string& token) const {
  bool found = false;
  for (const auto& key : keys_) {
    // Constant-time comparison, so that response timing reveals nothing about the keys.
    if (key.size() == token.size() && CRYPTO_memcmp(key.data(), token.data(), key.size()) == 0) found = true;
  }
  return found;
}

std::optional<Principal> ApiKeyAuthenticator::Authenticate(const http::Request& request) {
  auto token = BearerToken(request);
  if (!token) return std::nullopt;
  if (!IsAdminKey(*token)) throw Unauthorized("unknown or expired token");
  return Principal{0, Role::kAdmin, ""};
}

}  // namespace cinerec
