#include "services/accounts/accounts_routes.h"

#include <boost/json.hpp>
#include <charconv>
#include <regex>

#include "accounts/validation.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/authenticator.h"
#include "services/accounts/user_json.h"

namespace cinerec {
namespace {

using accounts::AccountsService;
using http::Request;
using http::Response;

std::int64_t UserIdParam(const Request& request) {
  const auto& text = request.PathParam("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) throw NotFound("no user " + text);
  return id;
}

// Rejects keys outside `allowed`, so that a misspelt field is a 422 instead of silently ignored.
void OnlyFields(const boost::json::object& body, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : body) {
    bool known = false;
    for (const char* a : allowed)
      known = known || key == a;
    if (!known) throw Unprocessable(std::string(key), "is not a known field");
  }
}

// The client's IP without the port (the server records "ip:port"): the per-address limit is per host.
std::string ClientAddress(const Request& request) {
  const auto& remote = request.remote_address;
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

std::optional<std::string> OptionalProfile(const boost::json::object& body) {
  const auto* v = body.if_contains("profile");
  if (!v) return std::nullopt;
  return accounts::ValidateProfile(*v);
}

std::optional<std::string> OptionalString(const boost::json::object& body, const char* name) {
  if (!body.contains(name)) return std::nullopt;
  return accounts::RequireString(body, name);
}

Response UserResponse(int status, const accounts::User& user) {
  return Response::Json(status, accounts::UserToJson(user));
}

Response ErasureResponse(const accounts::ErasureResult& result) {
  if (result.incomplete.empty()) return Response{204, "application/json", "", {}};
  boost::json::array incomplete;
  for (const auto& s : result.incomplete)
    incomplete.emplace_back(s);
  // 202: the account is gone from PostgreSQL, but some copies remain until an operator reruns their erasure.
  return Response::Json(202, boost::json::object{{"erased", true}, {"incomplete", std::move(incomplete)}});
}

accounts::SubscriptionChange ParseSubscriptionChange(const boost::json::object& body) {
  OnlyFields(body, {"plan", "status", "expires_at"});
  accounts::SubscriptionChange change;
  change.plan = OptionalString(body, "plan");
  if (change.plan && *change.plan != "free" && *change.plan != "basic" && *change.plan != "premium")
    throw Unprocessable("plan", "must be free, basic or premium");
  change.status = OptionalString(body, "status");
  if (change.status && *change.status != "active" && *change.status != "past_due"
      && *change.status != "cancelled" && *change.status != "expired")
    throw Unprocessable("status", "must be active, past_due, cancelled or expired");
  if (const auto* v = body.if_contains("expires_at")) {
    if (v->is_null()) {
      change.expires_at = std::optional<std::string>{};
    } else {
      static const std::regex kIso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2}))");
      if (!v->is_string() || !std::regex_match(std::string(v->as_string()), kIso))
        throw Unprocessable("expires_at", "must be an ISO 8601 timestamp with a zone, or null");
      change.expires_at = std::optional<std::string>(std::string(v->as_string()));
    }
  }
  if (!change.plan && !change.status && !change.expires_at)
    throw Unprocessable("plan", "name at least one of plan, status, expires_at");
  return change;
}

}  // namespace

void RegisterAccountsRoutes(http::Router& router, AccountsService& service, Authenticator& auth) {
  router.Add("POST", "/v1/auth/signup", [&service](Request& request) {
    auto body = accounts::ParseObject(request.body);
    OnlyFields(body, {"email", "password", "display_name", "profile"});
    accounts::SignUpRequest signup;
    signup.email = accounts::RequireString(body, "email");
    signup.password = accounts::RequireString(body, "password");
    signup.display_name = accounts::RequireString(body, "display_name");
    signup.profile_json = OptionalProfile(body).value_or("{}");
    return UserResponse(201, service.SignUp(signup));
  });

  router.Add("POST", "/v1/auth/login", [&service](Request& request) {
    auto body = accounts::ParseObject(request.body);
    auto email = accounts::RequireString(body, "email");
    auto password = accounts::RequireString(body, "password");
    try {
      auto result = service.Login(email, password, ClientAddress(request));
      return Response::Json(200,
                            boost::json::object{{"token", result.token},
                                                {"expires_at", accounts::IsoFromUnixMs(result.expires_at_ms)},
                                                {"user", accounts::UserToJson(result.user)}});
    } catch (const accounts::TooManyAttempts& e) {
      auto response = Response::Error(e.status(), e.code(), e.what());
      response.headers.emplace_back("Retry-After", std::to_string(e.retry_after().count()));
      return response;
    }
  });

  router.Add("POST", "/v1/auth/logout", [&service, &auth](Request& request) {
    service.Logout(auth.Require(request));
    return Response{204, "application/json", "", {}};
  });

  router.Add("GET", "/v1/me", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    return UserResponse(200, service.GetUser(principal, accounts::OwnUserId(principal)));
  });

  router.Add("PATCH", "/v1/me", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    auto id = accounts::OwnUserId(principal);
    auto body = accounts::ParseObject(request.body);
    OnlyFields(body, {"display_name", "profile"});
    return UserResponse(200, service.UpdateProfile(principal, id, OptionalString(body, "display_name"),
                                                   OptionalProfile(body)));
  });

  router.Add("POST", "/v1/me/password", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    auto body = accounts::ParseObject(request.body);
    auto old_password = accounts::RequireString(body, "old_password");
    auto new_password = accounts::RequireString(body, "new_password");
    service.ChangePassword(principal, old_password, new_password);
    return Response{204, "application/json", "", {}};
  });

  router.Add("DELETE", "/v1/me", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    return ErasureResponse(service.Erase(principal, accounts::OwnUserId(principal)));
  });

  router.Add("GET", "/v1/users/{id}", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    auto id = UserIdParam(request);
    return UserResponse(200, service.GetUser(principal, id));
  });

  router.Add("DELETE", "/v1/users/{id}", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    RequireAdmin(principal);
    return ErasureResponse(service.Erase(principal, UserIdParam(request)));
  });

  router.Add("PATCH", "/v1/users/{id}/subscription", [&service, &auth](Request& request) {
    auto principal = auth.Require(request);
    RequireAdmin(principal);
    auto id = UserIdParam(request);
    auto change = ParseSubscriptionChange(accounts::ParseObject(request.body));
    return UserResponse(200, service.UpdateSubscription(principal, id, change));
  });
}

}  // namespace cinerec
