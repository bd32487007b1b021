#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio event loops, keep-alive, body and header limits, timeouts,
// request ids, access logs, metrics, and a graceful stop that lets in-flight requests finish.
//
// Thread model: `io_threads` event loops accept, read and write; handlers marked Execution::kWorker run on a
// bounded pool of `worker_threads` (beyond `max_queued_requests` waiting, new requests get 503).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/config.h"

namespace cinerec {
class Metrics;
}

namespace cinerec::http {

class Router;

class Server {
 public:
  // REQUIRES: router and metrics outlive the server. Binds at once: throws std::runtime_error naming the
  // address when it cannot listen.
  Server(const HttpConfig& config, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (useful with port 0).
  std::uint16_t port() const;
  // Serves until Stop() or SIGINT/SIGTERM; returns after in-flight requests finished (or the grace period ran
  // out).
  void Run();
  // Asks Run() to finish gracefully. Thread-safe; may be called from a signal handler context via Asio.
  void Stop();

  struct Impl;  // internal: public only so that the connection code in server.cpp can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec::http
