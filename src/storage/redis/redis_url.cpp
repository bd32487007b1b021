#include "storage/redis/redis_url.h"

#include <boost/url/parse.hpp>
#include <charconv>

#include "common/config.h"
#include "common/errors.h"

namespace cinerec {
namespace {

[[noreturn]] void Invalid(const std::string& url, const std::string& reason) {
  throw ConfigError("redis.url: " + reason + " in '" + RedactUrl(url)
                    + "' (expected redis://[:password@]host:port[/db])");
}

}  // namespace

RedisEndpoint ParseRedisUrl(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) Invalid(url, "not a URL");
  const boost::urls::url_view& view = *parsed;
  if (view.scheme() != "redis") Invalid(url, "scheme must be redis");
  RedisEndpoint endpoint;
  endpoint.host = view.host_address();
  if (endpoint.host.empty()) Invalid(url, "no host");
  if (view.has_port()) {
    auto port = view.port_number();
    if (port == 0) Invalid(url, "bad port");
    endpoint.port = port;
  }
  if (view.has_userinfo()) {
    endpoint.user = view.user();
    if (view.has_password()) endpoint.password = view.password();
  }
  std::string path = view.path();
  if (!path.empty() && path != "/") {
    std::string_view digits = std::string_view(path).substr(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), endpoint.db);
    if (ec != std::errc() || end != digits.data() + digits.size() || endpoint.db < 0)
      Invalid(url, "database must be a number");
  }
  if (view.has_query() || view.has_fragment()) Invalid(url, "unexpected query or fragment");
  return endpoint;
}

}  // namespace cinerec
