#include <spdlog/spdlog.h>

#include "app/commands.h"
#include "app/stores.h"
#include "catalog/movie_directory.h"
#include "catalog/pg_movie_repository.h"
#include "common/allocator_policy.h"
#include "common/config.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "recommend/recommend_service.h"
#include "services/accounts/accounts_module.h"
#include "services/accounts/authenticator.h"
#include "services/analytics/analytics_module.h"
#include "services/catalog/catalog_routes.h"
#include "services/collect/collect_module.h"
#include "services/health/health_service.h"
#include "services/recommend/recommend_module.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec {

int RunServe(const Config& config) {
  ConfigureAllocatorForServer();  // before any other thread starts
  MemoryTrimmer trimmer(std::chrono::seconds(30));
  std::string roles;
  for (const auto& r : config.roles)
    roles += (roles.empty() ? "" : ",") + r;
  spdlog::info("cinerec {} starting: roles={} postgres={} redis={} clickhouse={} s3={}/{}", CINEREC_VERSION,
               roles, RedactUrl(config.postgres.url), RedactUrl(config.redis.url),
               RedactUrl(config.clickhouse.url), config.s3.endpoint, config.s3.bucket);
  auto stores = Stores::Connect(config);
  Metrics metrics;
  stores.RegisterMetrics(metrics);
  http::Router router;
  ReadinessChecker readiness(stores.Probes());  // declared after stores: destroyed (joined) before them
  RegisterHealthRoutes(router, readiness, metrics, config.http.docs_assets_dir);
  AccountsModule accounts(config, stores);  // its authenticator() checks every other service's callers
  accounts.RegisterRoutes(router);
  Authenticator& auth = accounts.authenticator();  // admin API keys and session tokens
  catalog::PgMovieRepository movies(*stores.postgres);
  RegisterCatalogRoutes(router, movies, auth);
  // The catalogue's serving attributes in memory, shared by the roles that need them per event or request.
  catalog::MovieDirectory::Options directory_options;
  directory_options.find_loader = catalog::PgMovieFinder(*stores.postgres);
  catalog::MovieDirectory directory(catalog::PgMovieLoader(*stores.postgres), directory_options);
  CollectModule collect(config, stores, directory, metrics);      // after the directory: stopped before it
  RecommendModule recommend(config, stores, directory, metrics);  // loads the models (S3, else the disk copy)
  // A signed-in viewer's trending follows the recommendation rules (finished, reactions, tier).
  collect.RegisterRoutes(router, auth,
                         [&recommend](std::int64_t user, const std::vector<std::int64_t>& movie_ids) {
                           return recommend.service().HiddenFor(user, movie_ids);
                         });
  recommend.RegisterRoutes(router, auth);
  // Later roles register their routes here (analytics), each given the stores and metrics it needs.

  // Analytics: the reports (admin only) and the dimension sync / retention / history export scheduler.
  AnalyticsModule analytics(config, stores);
  analytics.RegisterRoutes(router, auth);

  http::Server server(config.http, router, metrics);
  server.Run();
  // The server has answered every request it took; the spool holds every acknowledged event. Give the
  // consumers a moment to deliver what they can, so that a clean stop leaves little to replay.
  collect.Stop(std::chrono::seconds(10));
  analytics.Stop();
  spdlog::info("cinerec stopped");
  return 0;
}

}  // namespace cinerec
