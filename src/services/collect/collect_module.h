#pragma once
// CollectModule: the collection role of `cinerec serve`, assembled — the spool, one consumer per store
// (ClickHouse, PostgreSQL, Redis popularity), the user-activity publisher, the service and its routes
// (POST /v1/events, GET /v1/trending). Destroying it (or Stop) drains the consumers for a bounded time; what
// is left stays in the spool, which the next start delivers.
#include <chrono>
#include <memory>

#include "services/collect/collect_routes.h"

namespace cinerec {

struct Config;
struct Stores;
class Metrics;
class Authenticator;
namespace http {
class Router;
}
namespace catalog {
class MovieDirectory;
}
namespace collect {
class CollectService;
}

class CollectModule {
 public:
  // Opens (and recovers) the spool and starts the consumers. Throws std::runtime_error when the spool
  // directory is unusable. REQUIRES: every argument outlives the module.
  CollectModule(const Config& config, Stores& stores, catalog::MovieDirectory& movies, Metrics& metrics);
  ~CollectModule();
  CollectModule(const CollectModule&) = delete;
  CollectModule& operator=(const CollectModule&) = delete;

  // `trending_filter`: the recommendation rules for a signed-in viewer's GET /v1/trending (empty: none).
  void RegisterRoutes(http::Router& router, Authenticator& auth, TrendingViewerFilter trending_filter = {});
  // Lets the consumers deliver what is spooled for up to `drain`, then stops them. Idempotent.
  void Stop(std::chrono::milliseconds drain);
  collect::CollectService& service();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace cinerec
