#pragma once
// The model store's error: a refusal the caller can act on (unknown or incomplete version, corrupted file,
// nothing to roll back to). The message says what is wrong and, where it helps, what to do. Failures of S3
// itself stay StoreError (common/errors.h).
#include <stdexcept>

namespace cinerec::modelstore {

class ModelStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cinerec::modelstore
