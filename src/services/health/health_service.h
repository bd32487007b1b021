#pragma once
// Operational endpoints: GET /healthz (the process is alive), GET /readyz (every store answers),
// GET /metrics (Prometheus text), GET /openapi.json and GET /docs (the API document and a page to read it).
#include <chrono>
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

// Pings every probe concurrently; a probe that has not answered within `deadline` counts as down.
std::vector<StoreStatus> CheckStores(const std::vector<StoreProbe*>& probes,
                                     std::chrono::milliseconds deadline);

// REQUIRES: probes and metrics outlive the router. `docs_assets_dir` is the swagger-ui-dist folder (may be
// empty: /docs then explains how to get the assets and links the raw document).
void RegisterHealthRoutes(http::Router& router, std::vector<StoreProbe*> probes, Metrics& metrics,
                          const std::string& docs_assets_dir = "");

}  // namespace cinerec
