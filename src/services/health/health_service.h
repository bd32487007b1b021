#pragma once
// Operational endpoints: GET /healthz (the process is alive), GET /readyz (every store answers),
// GET /metrics (Prometheus text), GET /openapi.json and GET /docs (the API document and a page to read it).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http/router.h"

namespace cinerec {

class Metrics;
class StoreProbe;

struct StoreStatus {
  std::string store;
  bool ok = false;
  std::string error;  // why not, when !ok
};

// Answers "is every store there?" with a bounded cost: one thread per store, at most one ping in flight per
// store however many /readyz requests arrive, and results waited for only until a deadline.
class ReadinessChecker {
 public:
  // REQUIRES: probes outlive the checker (destroy the checker first).
  explicit ReadinessChecker(std::vector<StoreProbe*> probes);
  // Joins the threads; a ping in progress finishes first (adapters bound their calls with timeouts).
  ~ReadinessChecker();
  ReadinessChecker(const ReadinessChecker&) = delete;
  ReadinessChecker& operator=(const ReadinessChecker&) = delete;

  // Starts a ping of every store (or joins the one in flight) and waits up to `deadline` for the answers;
  // a store that has not answered by then counts as down. Thread-safe.
  std::vector<StoreStatus> Check(std::chrono::milliseconds deadline);

 private:
  struct Probe;
  std::vector<std::unique_ptr<Probe>> probes_;
};

// REQUIRES: readiness and metrics outlive the router. `docs_assets_dir` is the swagger-ui-dist folder (may be
// empty: /docs then explains how to get the assets and links the raw document).
void RegisterHealthRoutes(http::Router& router, ReadinessChecker& readiness, Metrics& metrics,
                          const std::string& docs_assets_dir = "");

}  // namespace cinerec
