#pragma once
// The JSON shape of a user in API responses (docs/api.md): never the password hash.
#include <boost/json/value.hpp>

#include "accounts/user.h"

namespace cinerec::accounts {

boost::json::value UserToJson(const User& user);
// Unix milliseconds as ISO 8601 UTC with milliseconds, e.g. "2026-11-24T12:00:00.000Z".
std::string IsoFromUnixMs(std::int64_t ms);

}  // namespace cinerec::accounts
