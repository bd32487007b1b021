#pragma once
// Password hashing with Argon2id (libargon2), stored as PHC strings
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") so that the parameters travel with each hash and can be
// raised later without invalidating old ones. Passwords are never logged. Thread-safe (no shared state).
#include <cstdint>
#include <string>

namespace cinerec::accounts {

struct Argon2Params {
  // OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane.
  static constexpr std::uint32_t kDefaultTimeCost = 2;
  static constexpr std::uint32_t kDefaultMemoryKiB = 19 * 1024;
  static constexpr std::uint32_t kDefaultParallelism = 1;
  static constexpr std::uint32_t kSaltBytes = 16;
  static constexpr std::uint32_t kHashBytes = 32;

  std::uint32_t time_cost = kDefaultTimeCost;
  std::uint32_t memory_kib = kDefaultMemoryKiB;
  std::uint32_t parallelism = kDefaultParallelism;
};

class PasswordHasher {
 public:
  explicit PasswordHasher(Argon2Params params = {});
  // A PHC string with a fresh random salt. Throws std::runtime_error if libargon2 fails.
  std::string Hash(const std::string& password) const;
  // True when `password` matches `phc` (parameters are read from the string). False for a malformed string.
  bool Verify(const std::string& phc, const std::string& password) const;
  // Spends about the time of one Verify, for an unknown e-mail, so timing does not reveal which accounts
  // exist.
  void VerifyDummy(const std::string& password) const;

 private:
  Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace cinerec::accounts
