#pragma once
// The Authenticator of the service: `Authorization: Bearer <token>` is either a static admin API key
// (delegated to ApiKeyAuthenticator) or a session token resolved by SessionService (Redis first, PostgreSQL
// when Redis cannot answer). Principal::session_id is the hex SHA-256 of the token. Thread-safe.
#include "accounts/session_service.h"
#include "services/accounts/authenticator.h"

namespace cinerec {

class SessionAuthenticator final : public Authenticator {
 public:
  // REQUIRES: both outlive this.
  SessionAuthenticator(const ApiKeyAuthenticator& api_keys, accounts::SessionService& sessions)
      : api_keys_(api_keys), sessions_(sessions) {}
  std::optional<Principal> Authenticate(const http::Request& request) override;

 private:
  const ApiKeyAuthenticator& api_keys_;
  accounts::SessionService& sessions_;
};

}  // namespace cinerec
