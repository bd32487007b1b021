#include "services/accounts/accounts_module.h"

#include "accounts/login_rate_limiter.h"
#include "accounts/near_session_store.h"
#include "accounts/password_hasher.h"
#include "accounts/pg_session_store.h"
#include "accounts/pg_user_repository.h"
#include "accounts/redis_session_store.h"
#include "accounts/session_service.h"
#include "app/stores.h"
#include "common/config.h"
#include "services/accounts/accounts_routes.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/session_authenticator.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "storage/redis/redis_client.h"

namespace cinerec {

namespace {

accounts::Argon2Params HashParams(const AccountsConfig& config) {
  accounts::Argon2Params params;
  params.memory_kib = static_cast<std::uint32_t>(config.argon2_memory_kib);
  params.time_cost = static_cast<std::uint32_t>(config.argon2_time_cost);
  return params;
}

accounts::NearSessionStore::Cache::Options NearOptions(const RedisConfig& config) {
  // Sessions are small (~150 bytes): a sixteenth of the lists' budget holds millions.
  return {static_cast<std::size_t>(config.near_cache_mb) << 16, config.near_cache_ttl};
}

}  // namespace

// Members in dependency order: each is built from the ones above it and destroyed before them.
struct AccountsModule::Parts {
  Parts(const Config& config, Stores& stores)
      : users(*stores.postgres),
        redis_sessions(*stores.redis, config.redis.key_prefix),
        near_sessions(redis_sessions, stores.redis_invalidations.get(), NearOptions(config.redis),
                      config.redis.key_prefix),
        pg_sessions(*stores.postgres),
        sessions(near_sessions, pg_sessions, std::chrono::seconds(config.accounts.session_ttl_s)),
        limiter(*stores.redis, config.redis.key_prefix,
                accounts::LoginLimits{config.accounts.login_max_failures,
                                      std::chrono::seconds(config.accounts.login_window_s)}),
        hasher(HashParams(config.accounts)),
        service(users, sessions, limiter, hasher, stores.clickhouse.get()),
        api_keys(config.admin_api_keys),
        authenticator(api_keys, sessions) {}

  accounts::PgUserRepository users;
  accounts::RedisSessionStore redis_sessions;
  accounts::NearSessionStore near_sessions;
  accounts::PgSessionStore pg_sessions;
  accounts::SessionService sessions;
  accounts::LoginRateLimiter limiter;
  accounts::PasswordHasher hasher;
  accounts::AccountsService service;
  ApiKeyAuthenticator api_keys;
  SessionAuthenticator authenticator;
};

AccountsModule::AccountsModule(const Config& config, Stores& stores)
    : parts_(std::make_unique<Parts>(config, stores)) {}
AccountsModule::~AccountsModule() = default;

Authenticator& AccountsModule::authenticator() {
  return parts_->authenticator;
}

void AccountsModule::RegisterRoutes(http::Router& router) {
  RegisterAccountsRoutes(router, parts_->service, parts_->authenticator);
}

}  // namespace cinerec
