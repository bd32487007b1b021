#pragma once
// "One trainer at a time, across every node": a PostgreSQL session-level advisory lock
// (pg_try_advisory_lock(kTrainerLockKey)) held on a connection of its own for the lock's lifetime.
//
// Who takes it: `cinerec train` (for the whole run: read, fit, upload, publish, user features) and the
// commands that read-modify-write the model store's HISTORY (`cinerec models publish | rollback | retain`),
// so that the store's single-writer rule (docs/model-store.md) holds across nodes. `evaluate` and every
// reader of the model store take no lock.
//
// The lock dies with its connection: a crashed trainer releases it as soon as PostgreSQL notices the closed
// socket (TCP keepalives bound that for a vanished node), so no stale lock needs clearing by hand.
// Not thread-safe; one owner.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace cinerec {
struct PostgresConfig;
}

namespace cinerec::training {

// "cnrctran" as a big-endian int64: a key unlikely to collide with other applications' advisory locks.
inline constexpr std::int64_t kTrainerLockKey = 7164789828674019694;
// Exit code of a command that found the lock held (the scheduler treats it as "skipped").
inline constexpr int kLockedExitCode = 4;

class TrainerLock {
 public:
  // One attempt, no waiting. nullptr when another session holds the lock; `holder` then says who, as far as
  // PostgreSQL can tell (application name, client address, since when). `what` names the holder in the
  // lock's connection (application_name), e.g. "cinerec train". Throws StoreError when PostgreSQL is down.
  static std::unique_ptr<TrainerLock> TryAcquire(const PostgresConfig& config, const std::string& what,
                                                 std::string* holder);
  ~TrainerLock();
  TrainerLock(const TrainerLock&) = delete;
  TrainerLock& operator=(const TrainerLock&) = delete;

 private:
  struct State;
  explicit TrainerLock(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace cinerec::training
