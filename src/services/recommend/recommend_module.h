#pragma once
// RecommendModule: the recommendation role of `cinerec serve`, assembled — the model registry (LATEST and
// pinned versions from S3, disk copy, poller), the Redis candidate cache, PostgreSQL history, the user
// attribute snapshot (tiers on the cache-hit path), trending, the impression batcher, the experiments and
// the service with its routes.
#include <memory>

namespace cinerec {

struct Config;
struct Stores;
class Authenticator;
class Metrics;
namespace http {
class Router;
}
namespace catalog {
class MovieDirectory;
}
namespace recommend {
class RecommendService;
class ModelRegistry;
}  // namespace recommend

class RecommendModule {
 public:
  // Loads the models (never throws for a store that is down: see ModelRegistry) and starts the poller.
  // Throws ConfigError for a bad variants list. REQUIRES: every argument outlives the module.
  RecommendModule(const Config& config, Stores& stores, catalog::MovieDirectory& movies, Metrics& metrics);
  ~RecommendModule();  // stops the poller, flushes the impressions (one attempt)
  RecommendModule(const RecommendModule&) = delete;
  RecommendModule& operator=(const RecommendModule&) = delete;

  void RegisterRoutes(http::Router& router, Authenticator& auth);
  recommend::RecommendService& service();
  recommend::ModelRegistry& models();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace cinerec
