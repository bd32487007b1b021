#pragma once
// Everything the accounts role needs, built once from the config and the stores at start-up: repositories,
// session stores, rate limiter, password hasher, the service and the Authenticator other services use.
#include <memory>

#include "http/router.h"
#include "services/accounts/authenticator.h"

namespace cinerec {

struct Config;
struct Stores;

class AccountsModule {
 public:
  // REQUIRES: stores outlive the module (declare the module after the stores).
  AccountsModule(const Config& config, Stores& stores);
  ~AccountsModule();
  AccountsModule(const AccountsModule&) = delete;
  AccountsModule& operator=(const AccountsModule&) = delete;

  // Bearer tokens: admin API keys and session tokens. Hand this to every service that checks access.
  Authenticator& authenticator();
  void RegisterRoutes(http::Router& router);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace cinerec
