#include "accounts/password_hasher.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace cinerec::accounts {

PasswordHasher::PasswordHasher(Argon2Params params) : params_(params) {
  dummy_hash_ = Hash("dummy password for unknown accounts");
}

std::string PasswordHasher::Hash(const std::string& password) const {
  std::vector<unsigned char> salt(Argon2Params::kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    throw std::runtime_error("RAND_bytes failed: no salt for a password hash");
  const std::size_t length = argon2_encodedlen(params_.time_cost, params_.memory_kib, params_.parallelism,
                                               Argon2Params::kSaltBytes, Argon2Params::kHashBytes, Argon2_id);
  std::string encoded(length, '\0');
  int rc = argon2id_hash_encoded(params_.time_cost, params_.memory_kib, params_.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), Argon2Params::kHashBytes,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool PasswordHasher::Verify(const std::string& phc, const std::string& password) const {
  return argon2id_verify(phc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

void PasswordHasher::VerifyDummy(const std::string& password) const {
  (void)Verify(dummy_hash_, password);
}

}  // namespace cinerec::accounts
