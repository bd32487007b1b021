#pragma once
// Turns the request's credentials (`Authorization: Bearer <token>`) into a Principal.
// Implementations: ApiKeyAuthenticator (static admin keys from config, for machines) and the session-based
// one of the accounts service, which falls back to the API keys.
#include <memory>
#include <string>
#include <vector>

#include "http/http_types.h"
#include "services/accounts/principal.h"

namespace cinerec {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller, or nullopt when the request carries no credentials. Throws Unauthorized (401) when it carries
  // credentials that are malformed, unknown, expired or revoked; StoreError only when no store can answer.
  // Thread-safe.
  virtual std::optional<Principal> Authenticate(const http::Request& request) = 0;

  // Authenticate, and throw Unauthorized when the request carries no credentials.
  Principal Require(const http::Request& request);
};

// The token of `Authorization: Bearer <token>`; nullopt when absent. Throws Unauthorized when malformed.
std::optional<std::string> BearerToken(const http::Request& request);

// Static admin API keys (config `admin.api_keys`). Compares in constant time.
class ApiKeyAuthenticator final : public Authenticator {
 public:
  explicit ApiKeyAuthenticator(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  std::optional<Principal> Authenticate(const http::Request& request) override;
  // True when `token` is one of the keys.
  bool IsAdminKey(const std::string& token) const;

 private:
  std::vector<std::string> keys_;
};

}  // namespace cinerec
