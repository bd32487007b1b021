#pragma once
// The account domain: users, their subscription and effective tier. Plain data, no store or HTTP types.
#include <cstdint>
#include <optional>
#include <string>

namespace cinerec::accounts {

struct Subscription {
  std::string plan = "free";              // free, basic, premium
  std::string status = "active";          // active, past_due, cancelled, expired
  std::optional<std::string> expires_at;  // ISO 8601 UTC; nullopt = open-ended
  std::string tier = "free";  // effective tier, computed by the store (see subscriptions table comment)
};

struct User {
  std::int64_t id = 0;
  std::string email;  // lower-cased
  std::string display_name;
  std::string role = "viewer";      // viewer, admin
  std::string profile_json = "{}";  // a validated JSON object (see validation.h)
  std::string created_at;           // ISO 8601 UTC
  Subscription subscription;
};

// What sign-up stores. password_hash is a PHC string.
struct NewUser {
  std::string email;
  std::string display_name;
  std::string password_hash;
  std::string profile_json = "{}";
};

}  // namespace cinerec::accounts
