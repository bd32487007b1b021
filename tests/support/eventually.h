#pragma once
// Eventually: polls `predicate` every 5 ms until it holds or `within` has passed; returns its last value. For
// tests of things that happen asynchronously (a pushed invalidation, a reconnect).
#include <chrono>
#include <thread>

namespace cinerec::testing {

template <typename Predicate>
bool Eventually(Predicate predicate, std::chrono::milliseconds within = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

}  // namespace cinerec::testing
