#pragma once
// Who is calling: the result of authentication, handed to every service that checks access.
#include <cstdint>
#include <optional>
#include <string>

#include "common/errors.h"

namespace cinerec {

enum class Role { kViewer, kAdmin };

struct Principal {
  std::int64_t user_id = 0;  // 0 for machine callers (static admin API keys)
  Role role = Role::kViewer;
  std::string session_id;  // opaque, for logs and revocation; empty for API keys

  bool is_admin() const { return role == Role::kAdmin; }
  // A viewer may act only on their own user id; an admin on any.
  bool may_access_user(std::int64_t id) const { return is_admin() || user_id == id; }
};

// Throws Forbidden unless the caller is an admin.
inline void RequireAdmin(const Principal& principal) {
  if (!principal.is_admin()) throw Forbidden("this endpoint needs the admin role");
}
// Throws Forbidden unless the caller is `user_id` or an admin.
inline void RequireUserAccess(const Principal& principal, std::int64_t user_id) {
  if (!principal.may_access_user(user_id)) throw Forbidden("a viewer may only access their own data");
}

}  // namespace cinerec
