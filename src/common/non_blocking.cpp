#include "common/non_blocking.h"

namespace cinerec {
namespace {

thread_local bool must_not_block = false;

}  // namespace

NonBlockingScope::NonBlockingScope() : outer_(must_not_block) {
  must_not_block = true;
}

NonBlockingScope::~NonBlockingScope() {
  must_not_block = outer_;
}

bool MustNotBlock() {
  return must_not_block;
}

}  // namespace cinerec
