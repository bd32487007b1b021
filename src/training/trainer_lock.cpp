#include "training/trainer_lock.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <string_view>

#include "common/config.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::training {
namespace {

constexpr std::string_view kTryLock = "SELECT pg_try_advisory_lock($1::bigint)";
constexpr std::string_view kUnlock = "SELECT pg_advisory_unlock($1::bigint)";
constexpr std::string_view kSetName = "SELECT set_config('application_name', $1, false)";
// A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid = 1. The
// key is per database (trainers of another database on the same server do not contend), so is the holder.
constexpr std::string_view kHolder = R"sql(
SELECT coalesce(nullif(a.application_name, ''), '(no application name)'),
       coalesce(host(a.client_addr), 'local socket'), a.pid,
       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"')
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid::bigint = ($1::bigint >> 32) AND l.objid::bigint = ($1::bigint & 4294967295)
LIMIT 1)sql";

std::string Hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

}  // namespace

struct TrainerLock::State {
  explicit State(const PostgresConfig& config) : pool(WithOneConnection(config)), lease(pool.Acquire()) {}
  static PostgresConfig WithOneConnection(PostgresConfig config) {
    config.pool_size = 1;
    return config;
  }
  PgPool pool;
  PgPool::Lease lease;
};

TrainerLock::TrainerLock(std::unique_ptr<State> state) : state_(std::move(state)) {}

std::unique_ptr<TrainerLock> TrainerLock::TryAcquire(const PostgresConfig& config, const std::string& what,
                                                     std::string* holder) {
  auto state = std::make_unique<State>(config);
  auto& conn = *state->lease;
  conn.Exec(kSetName, PgParams(fmt::format("{} on {} pid {}", what, Hostname(), ::getpid()).substr(0, 63)));
  if (conn.Exec(kTryLock, PgParams(kTrainerLockKey)).GetBool(0, 0))
    return std::unique_ptr<TrainerLock>(new TrainerLock(std::move(state)));
  if (holder) {
    const PgResult who = conn.Exec(kHolder, PgParams(kTrainerLockKey));
    *holder = who.rows() == 0 ? std::string("another session (it has just released it; try again)")
                              : fmt::format("{} (from {}, PostgreSQL backend {}, connected since {})",
                                            who.Get(0, 0), who.Get(0, 1), who.Get(0, 2), who.Get(0, 3));
  }
  return nullptr;
}

TrainerLock::~TrainerLock() {
  try {
    (*state_->lease).Exec(kUnlock, PgParams(kTrainerLockKey));
  } catch (const std::exception& e) {
    // Closing the connection (next) releases it anyway.
    spdlog::warn("releasing the trainer lock: {}", e.what());
  }
}

}  // namespace cinerec::training
