#include "services/accounts/user_json.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>

namespace cinerec::accounts {

boost::json::value UserToJson(const User& user) {
  boost::json::object subscription{{"plan", user.subscription.plan},
                                   {"status", user.subscription.status},
                                   {"tier", user.subscription.tier}};
  if (user.subscription.expires_at)
    subscription["expires_at"] = *user.subscription.expires_at;
  else
    subscription["expires_at"] = nullptr;
  return boost::json::object{{"id", user.id},
                             {"email", user.email},
                             {"display_name", user.display_name},
                             {"role", user.role},
                             {"profile", boost::json::parse(user.profile_json)},
                             {"created_at", user.created_at},
                             {"subscription", std::move(subscription)}};
}

std::string IsoFromUnixMs(std::int64_t ms) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(ms)};
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(t - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

}  // namespace cinerec::accounts
