#pragma once
// Lets the HTTP server try a handler on its event-loop thread first (http::Execution::kInlineFirst): while a
// NonBlockingScope is active on a thread, the store clients (RedisPool, PgPool, the ClickHouse client) throw
// WouldBlock instead of doing I/O, and the server runs the handler again from the start on a worker thread.
// A cache hit answered from memory thus costs no hand-over between threads; anything else costs one failed
// attempt (the work before the first store call, usually microseconds).
//
// WouldBlock is deliberately not a std::exception, so that no `catch (const std::exception&)` (or
// StoreError fallback) on the way can take it for a failure. Handlers run under a scope must do nothing
// before their first store call that they cannot do twice (record impressions, count metrics after it).

namespace cinerec {

struct WouldBlock {};

class NonBlockingScope {
 public:
  NonBlockingScope();
  ~NonBlockingScope();
  NonBlockingScope(const NonBlockingScope&) = delete;
  NonBlockingScope& operator=(const NonBlockingScope&) = delete;

 private:
  bool outer_;
};

bool MustNotBlock();
// Called by store clients before any I/O.
inline void ThrowIfMustNotBlock() {
  if (MustNotBlock()) throw WouldBlock{};
}

}  // namespace cinerec
