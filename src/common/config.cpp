#include "common/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <functional>

#include "common/errors.h"
#include "recommend/experiments.h"

extern char** environ;  // POSIX: the process environment

namespace cinerec {
namespace {

// One configuration key: where it lives in TOML and the environment, and how to read/write it.
struct Key {
  std::string path;  // "section.name" in the TOML file
  bool secret = false;
  std::function<void(Config&, const std::string& value, const std::string& where)> set;
  std::function<std::string(const Config&)> get;
};

std::string EnvName(const std::string& path) {
  std::string name = "CINEREC_";
  for (char c : path)
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

[[noreturn]] void Invalid(const std::string& where, const std::string& reason) {
  throw ConfigError(fmt::format("invalid config {}: {}", where, reason));
}

long long ParseInt(const std::string& value, const std::string& where, long long min, long long max) {
  long long out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size())
    Invalid(where, "expected an integer, got '" + value + "'");
  if (out < min || out > max) Invalid(where, fmt::format("must be between {} and {}, got {}", min, max, out));
  return out;
}

void RequireUrl(const std::string& value, const std::string& where, const std::vector<std::string>& schemes) {
  for (const auto& scheme : schemes) {
    std::string prefix = std::string(scheme) + "://";
    if (value.rfind(prefix, 0) == 0 && value.size() > prefix.size()) return;
  }
  std::string expected;
  for (const auto& scheme : schemes)
    expected += (expected.empty() ? "" : " or ") + scheme + "://...";
  Invalid(where, "expected a URL " + expected + ", got '" + RedactUrl(value) + "'");
}

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  std::string item;
  for (char c : value) {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

// Builders for the common kinds of keys.
template <typename Section, typename Field>
Key StringKey(std::string path, Section Config::*section, Field Section::*field, bool secret = false,
              std::function<void(const std::string&, const std::string&)> check = {}) {
  return Key{path, secret,
             [=](Config& c, const std::string& v, const std::string& where) {
               if (check) check(v, where);
               (c.*section).*field = v;
             },
             [=](const Config& c) { return (c.*section).*field; }};
}

template <typename Section, typename Int>
Key IntKey(std::string path, Section Config::*section, Int Section::*field, long long min, long long max) {
  return Key{path, false,
             [=](Config& c, const std::string& v, const std::string& where) {
               (c.*section).*field = static_cast<Int>(ParseInt(v, where, min, max));
             },
             [=](const Config& c) { return std::to_string((c.*section).*field); }};
}

template <typename Section>
Key MillisKey(std::string path, Section Config::*section, std::chrono::milliseconds Section::*field,
              long long min = 1, long long max = 24LL * 3600 * 1000) {
  return Key{path, false,
             [=](Config& c, const std::string& v, const std::string& where) {
               (c.*section).*field = std::chrono::milliseconds(ParseInt(v, where, min, max));
             },
             [=](const Config& c) { return std::to_string(((c.*section).*field).count()); }};
}

template <typename Section>
Key BoolKey(std::string path, Section Config::*section, bool Section::*field) {
  return Key{path, false,
             [=](Config& c, const std::string& v, const std::string& where) {
               if (v == "true" || v == "1")
                 (c.*section).*field = true;
               else if (v == "false" || v == "0")
                 (c.*section).*field = false;
               else
                 Invalid(where, "expected true or false, got '" + v + "'");
             },
             [=](const Config& c) { return std::string((c.*section).*field ? "true" : "false"); }};
}

template <typename Section>
Key DoubleKey(std::string path, Section Config::*section, double Section::*field, double min, double max) {
  return Key{path, false,
             [=](Config& c, const std::string& v, const std::string& where) {
               double out = 0;
               auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
               if (ec != std::errc() || end != v.data() + v.size())
                 Invalid(where, "expected a number, got '" + v + "'");
               if (!(out >= min && out <= max))
                 Invalid(where, fmt::format("must be between {} and {}", min, max));
               (c.*section).*field = out;
             },
             [=](const Config& c) { return fmt::format("{}", (c.*section).*field); }};
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = [] {
    auto url = [](std::vector<std::string> schemes) {
      return [schemes](const std::string& v, const std::string& where) { RequireUrl(v, where, schemes); };
    };
    auto optional_pg_url = [](const std::string& v, const std::string& where) {
      if (!v.empty()) RequireUrl(v, where, {"postgresql", "postgres"});
    };
    auto host_port = [](const std::string& v, const std::string& where) { ParseHostPort(where, v); };
    auto one_of = [](std::vector<std::string> allowed) {
      return [allowed](const std::string& v, const std::string& where) {
        for (const auto& a : allowed)
          if (a == v) return;
        Invalid(where, "must be one of " + JoinList(allowed) + ", got '" + v + "'");
      };
    };
    auto non_empty = [](const std::string& v, const std::string& where) {
      if (v.empty()) Invalid(where, "must not be empty");
    };
    constexpr long long kMiB = 1 << 20;
    std::vector<Key> k;
    k.push_back(StringKey("http.addr", &Config::http, &HttpConfig::addr, false, host_port));
    k.push_back(IntKey("http.io_threads", &Config::http, &HttpConfig::io_threads, 0, 64));
    k.push_back(IntKey("http.worker_threads", &Config::http, &HttpConfig::worker_threads, 1, 1024));
    k.push_back(IntKey("http.max_body_bytes", &Config::http, &HttpConfig::max_body_bytes, 1024, 64 * kMiB));
    k.push_back(
        IntKey("http.max_queued_requests", &Config::http, &HttpConfig::max_queued_requests, 1, 1000000));
    k.push_back(BoolKey("http.access_log", &Config::http, &HttpConfig::access_log));
    k.push_back(StringKey("http.docs_assets_dir", &Config::http, &HttpConfig::docs_assets_dir));
    k.push_back(MillisKey("http.read_timeout_ms", &Config::http, &HttpConfig::read_timeout));
    k.push_back(MillisKey("http.idle_timeout_ms", &Config::http, &HttpConfig::idle_timeout));
    k.push_back(MillisKey("http.shutdown_grace_ms", &Config::http, &HttpConfig::shutdown_grace, 0));

    k.push_back(StringKey("postgres.url", &Config::postgres, &PostgresConfig::url, true,
                          url({"postgresql", "postgres"})));
    k.push_back(StringKey("postgres.replica_url", &Config::postgres, &PostgresConfig::replica_url, true,
                          optional_pg_url));
    k.push_back(IntKey("postgres.pool_size", &Config::postgres, &PostgresConfig::pool_size, 1, 512));
    k.push_back(
        MillisKey("postgres.connect_timeout_ms", &Config::postgres, &PostgresConfig::connect_timeout));
    k.push_back(
        MillisKey("postgres.statement_timeout_ms", &Config::postgres, &PostgresConfig::statement_timeout));

    k.push_back(StringKey("redis.url", &Config::redis, &RedisConfig::url, true, url({"redis"})));
    k.push_back(IntKey("redis.pool_size", &Config::redis, &RedisConfig::pool_size, 1, 512));
    k.push_back(MillisKey("redis.timeout_ms", &Config::redis, &RedisConfig::timeout));
    k.push_back(StringKey("redis.key_prefix", &Config::redis, &RedisConfig::key_prefix, false, non_empty));
    k.push_back(MillisKey("redis.near_cache_ttl_ms", &Config::redis, &RedisConfig::near_cache_ttl, 0));
    k.push_back(IntKey("redis.near_cache_mb", &Config::redis, &RedisConfig::near_cache_mb, 0, 1 << 20));

    k.push_back(StringKey("clickhouse.url", &Config::clickhouse, &ClickHouseConfig::url, false,
                          url({"http", "https"})));
    k.push_back(
        StringKey("clickhouse.database", &Config::clickhouse, &ClickHouseConfig::database, false, non_empty));
    k.push_back(StringKey("clickhouse.user", &Config::clickhouse, &ClickHouseConfig::user, false, non_empty));
    k.push_back(StringKey("clickhouse.password", &Config::clickhouse, &ClickHouseConfig::password, true));
    k.push_back(MillisKey("clickhouse.timeout_ms", &Config::clickhouse, &ClickHouseConfig::timeout));
    k.push_back(
        IntKey("clickhouse.batch_rows", &Config::clickhouse, &ClickHouseConfig::batch_rows, 1, 10000000));
    k.push_back(
        MillisKey("clickhouse.flush_interval_ms", &Config::clickhouse, &ClickHouseConfig::flush_interval));

    k.push_back(StringKey("s3.endpoint", &Config::s3, &S3Config::endpoint, false, url({"http", "https"})));
    k.push_back(StringKey("s3.region", &Config::s3, &S3Config::region, false, non_empty));
    k.push_back(StringKey("s3.bucket", &Config::s3, &S3Config::bucket, false,
                          [](const std::string& v, const std::string& w) {
                            if (v.size() < 3 || v.size() > 63)
                              Invalid(w, "a bucket name has 3 to 63 characters");
                            for (char c : v)
                              if (!(std::islower(static_cast<unsigned char>(c))
                                    || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
                                Invalid(w, "a bucket name has only lower-case letters, digits, '-' and '.'");
                          }));
    k.push_back(StringKey("s3.access_key", &Config::s3, &S3Config::access_key, true));
    k.push_back(StringKey("s3.secret_key", &Config::s3, &S3Config::secret_key, true));
    k.push_back(MillisKey("s3.timeout_ms", &Config::s3, &S3Config::timeout));
    k.push_back(
        IntKey("s3.multipart_threshold", &Config::s3, &S3Config::multipart_threshold, 5 * kMiB, 5LL << 30));
    k.push_back(IntKey("s3.part_size", &Config::s3, &S3Config::part_size, 5 * kMiB, 5LL << 30));

    k.push_back(StringKey("log.level", &Config::log, &LogConfig::level, false,
                          one_of({"trace", "debug", "info", "warn", "error"})));
    k.push_back(StringKey("log.format", &Config::log, &LogConfig::format, false, one_of({"text", "json"})));

    k.push_back(IntKey("accounts.session_ttl_s", &Config::accounts, &AccountsConfig::session_ttl_s, 1,
                       365LL * 24 * 3600));
    k.push_back(IntKey("accounts.login_max_failures", &Config::accounts, &AccountsConfig::login_max_failures,
                       1, 1000000));
    k.push_back(
        IntKey("accounts.login_window_s", &Config::accounts, &AccountsConfig::login_window_s, 1, 24 * 3600));
    k.push_back(IntKey("accounts.argon2_memory_kib", &Config::accounts, &AccountsConfig::argon2_memory_kib, 8,
                       4 << 20));
    k.push_back(
        IntKey("accounts.argon2_time_cost", &Config::accounts, &AccountsConfig::argon2_time_cost, 1, 100));

    k.push_back(IntKey("recommend.cache_ttl_s", &Config::recommend, &RecommendConfig::cache_ttl_s, 1,
                       7LL * 24 * 3600));
    k.push_back(IntKey("recommend.candidates", &Config::recommend, &RecommendConfig::candidates, 20, 5000));
    k.push_back(
        IntKey("recommend.history_views", &Config::recommend, &RecommendConfig::history_views, 1, 100000));
    k.push_back(MillisKey("recommend.model_poll_ms", &Config::recommend, &RecommendConfig::model_poll, 100));
    k.push_back(
        StringKey("recommend.model_cache_dir", &Config::recommend, &RecommendConfig::model_cache_dir));
    k.push_back(StringKey("recommend.variants", &Config::recommend, &RecommendConfig::variants, false,
                          [](const std::string& v, const std::string&) { recommend::ParseVariants(v); }));

    k.push_back(
        StringKey("collect.spool_dir", &Config::collect, &CollectConfig::spool_dir, false, non_empty));
    k.push_back(IntKey("collect.spool_max_bytes", &Config::collect, &CollectConfig::spool_max_bytes, kMiB,
                       1LL << 50));
    k.push_back(BoolKey("collect.spool_sync", &Config::collect, &CollectConfig::spool_sync));
    k.push_back(
        IntKey("collect.max_batch_events", &Config::collect, &CollectConfig::max_batch_events, 1, 100000));
    k.push_back(IntKey("collect.max_future_skew_s", &Config::collect, &CollectConfig::max_future_skew_s, 0,
                       24 * 3600));
    k.push_back(IntKey("collect.max_event_age_s", &Config::collect, &CollectConfig::max_event_age_s, 60,
                       3650LL * 24 * 3600));
    k.push_back(DoubleKey("collect.completion_threshold", &Config::collect,
                          &CollectConfig::completion_threshold, 0.01, 1.0));
    k.push_back(IntKey("collect.postgres_batch_events", &Config::collect,
                       &CollectConfig::postgres_batch_events, 1, 1000000));
    k.push_back(DoubleKey("collect.viewer_events_per_s", &Config::collect,
                          &CollectConfig::viewer_events_per_s, 0, 1e9));
    k.push_back(DoubleKey("collect.client_events_per_s", &Config::collect,
                          &CollectConfig::client_events_per_s, 0, 1e9));
    k.push_back(IntKey("collect.trending_bucket_ttl_s", &Config::collect,
                       &CollectConfig::trending_bucket_ttl_s, 3600, 365LL * 24 * 3600));

    k.push_back(
        IntKey("analytics.max_range_days", &Config::analytics, &AnalyticsConfig::max_range_days, 1, 3650));
    k.push_back(IntKey("analytics.conversion_window_s", &Config::analytics,
                       &AnalyticsConfig::conversion_window_s, 1, 30LL * 24 * 3600));
    k.push_back(IntKey("analytics.search_window_s", &Config::analytics, &AnalyticsConfig::search_window_s, 1,
                       7LL * 24 * 3600));
    k.push_back(IntKey("analytics.raw_retention_days", &Config::analytics,
                       &AnalyticsConfig::raw_retention_days, 0, 36500));
    k.push_back(IntKey("analytics.retention_interval_s", &Config::analytics,
                       &AnalyticsConfig::retention_interval_s, 60, 30LL * 24 * 3600));
    k.push_back(IntKey("analytics.dimension_sync_interval_s", &Config::analytics,
                       &AnalyticsConfig::dimension_sync_interval_s, 1, 24 * 3600));
    k.push_back(IntKey("analytics.dimension_full_refresh_s", &Config::analytics,
                       &AnalyticsConfig::dimension_full_refresh_s, 60, 7LL * 24 * 3600));
    k.push_back(BoolKey("analytics.export_daily", &Config::analytics, &AnalyticsConfig::export_daily));
    k.push_back(IntKey("analytics.rollup_interval_s", &Config::analytics, &AnalyticsConfig::rollup_interval_s,
                       0, 7LL * 24 * 3600));
    k.push_back(IntKey("analytics.rollup_lateness_s", &Config::analytics, &AnalyticsConfig::rollup_lateness_s,
                       0, 30LL * 24 * 3600));

    k.push_back(Key{"admin.api_keys", true,
                    [](Config& c, const std::string& v, const std::string& where) {
                      c.admin_api_keys = SplitList(v);
                      for (const auto& key : c.admin_api_keys)
                        if (key.size() < 16)
                          Invalid(where, "each admin API key needs at least 16 characters");
                    },
                    [](const Config& c) { return JoinList(c.admin_api_keys); }});
    k.push_back(Key{"serve.roles", false,
                    [](Config& c, const std::string& v, const std::string& where) {
                      c.roles = SplitList(v);
                      if (c.roles.empty()) Invalid(where, "name at least one role");
                      for (const auto& role : c.roles)
                        if (role != "all" && role != "collect" && role != "recommend" && role != "analytics"
                            && role != "accounts")
                          Invalid(where, "unknown role '" + role
                                             + "' (all, collect, recommend, analytics, accounts)");
                    },
                    [](const Config& c) { return JoinList(c.roles); }});
    return k;
  }();
  return keys;
}

// Environment names that differ from the mechanical CINEREC_<SECTION>_<NAME>.
std::string EnvNameFor(const Key& key) {
  if (key.path == "admin.api_keys") return "CINEREC_ADMIN_API_KEYS";
  return EnvName(key.path);
}

std::string TomlValueToString(const toml::node& node, const std::string& where) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return std::to_string(*node.value<long long>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  if (const auto* arr = node.as_array()) {
    std::vector<std::string> items;
    for (const auto& item : *arr)
      items.push_back(TomlValueToString(item, where));
    return JoinList(items);
  }
  Invalid(where, "expected a string, an integer or an array");
}

void ApplyToml(Config& config, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("cannot read config file {}: {} (line {})", path, e.description(),
                                  e.source().begin.line));
  }
  for (const auto& [section, node] : table) {
    const auto* section_table = node.as_table();
    if (!section_table) Invalid(fmt::format("{}: '{}'", path, section.str()), "expected a [section]");
    for (const auto& [name, value] : *section_table) {
      std::string key_path = std::string(section.str()) + "." + std::string(name.str());
      const Key* key = nullptr;
      for (const auto& k : Keys())
        if (k.path == key_path) key = &k;
      std::string where = fmt::format("{}: {}", path, key_path);
      if (!key) Invalid(where, "unknown key (see docs/configuration.md)");
      key->set(config, TomlValueToString(value, where), where);
    }
  }
}

}  // namespace

std::string RedactUrl(const std::string& raw) {
  std::string url = raw;
  // libpq also takes the password as a query parameter.
  for (auto pos = url.find("password="); pos != std::string::npos; pos = url.find("password=", pos + 1)) {
    auto end = url.find('&', pos);
    url.replace(pos + 9, (end == std::string::npos ? url.size() : end) - pos - 9, "***");
  }
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  auto at = url.find('@', scheme_end + 3);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string::npos || colon > at) return url;  // user without password
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::pair<std::string, std::uint16_t> ParseHostPort(const std::string& key, const std::string& value) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) Invalid(key, "expected host:port, got '" + value + "'");
  auto port = ParseInt(value.substr(colon + 1), key, 0, 65535);
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, static_cast<std::uint16_t>(port)};
}

Config Config::Load(const std::string& toml_path, const std::map<std::string, std::string>& env) {
  Config config;
  if (!toml_path.empty()) ApplyToml(config, toml_path);
  for (const auto& key : Keys()) {
    auto name = EnvNameFor(key);
    if (auto it = env.find(name); it != env.end()) key.set(config, it->second, "environment " + name);
  }
  if (config.s3.part_size > config.s3.multipart_threshold)
    Invalid("s3.part_size", "must not exceed s3.multipart_threshold");
  return config;
}

Config Config::Load(const std::string& toml_path) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    if (entry.rfind("CINEREC_", 0) != 0) continue;
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return Load(toml_path, env);
}

std::string Config::Describe() const {
  std::string out;
  for (const auto& key : Keys()) {
    std::string value = key.get(*this);
    if (value.find("://") != std::string::npos) {
      value = RedactUrl(value);  // any URL may carry user:password@
    } else if (key.secret && !value.empty()) {
      value = "***";
    }
    out += fmt::format("{} = {}    # env {}\n", key.path, value, EnvNameFor(key));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Config::ToEnvironment() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& key : Keys())
    out.emplace_back(EnvNameFor(key), key.get(*this));
  return out;
}

}  // namespace cinerec
