#pragma once
// HTTP adapters for the accounts service: parse the request, call AccountsService, write JSON.
//   POST /v1/auth/signup, /v1/auth/login, /v1/auth/logout
//   GET/PATCH/DELETE /v1/me, POST /v1/me/password
//   GET/DELETE /v1/users/{id}, PATCH /v1/users/{id}/subscription (admin, or the user themself for GET)
// The API is documented in api/openapi.json and docs/api.md.
#include "http/router.h"

namespace cinerec {
class Authenticator;
namespace accounts {
class AccountsService;
}

// REQUIRES: service and authenticator outlive the router.
void RegisterAccountsRoutes(http::Router& router, accounts::AccountsService& service,
                            Authenticator& authenticator);

}  // namespace cinerec
