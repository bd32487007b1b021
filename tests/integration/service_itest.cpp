// The `cinerec` binary end to end against the real test stack: migrate, serve, readiness, the API document.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <set>

#include "app/stores.h"
#include "catalog/in_memory_movie_repository.h"
#include "http/metrics.h"
#include "http/router.h"
#include "services/accounts/accounts_module.h"
#include "services/accounts/authenticator.h"
#include "services/catalog/catalog_routes.h"
#include "services/health/health_service.h"
#include "support/http_test_client.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using testing::HttpCall;
using testing::ServiceProcess;

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe))
    out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

TEST(ServiceIntegrationTest, MigrateThenReadyzReportsAllFourStores) {
  auto config = testing::IsolatedConfig();
  ServiceProcess service(config);
  auto health = HttpCall(service.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  auto ready = HttpCall(service.port(), "GET", "/readyz");
  ASSERT_EQ(ready.status, 200) << ready.body;
  auto body = boost::json::parse(ready.body);
  EXPECT_EQ(body.at("status"), "ok");
  for (const char* store : {"postgres", "redis", "clickhouse", "s3"})
    EXPECT_EQ(body.at("stores").at(store), "ok") << store;
  EXPECT_EQ(ready.headers["content-type"], "application/json");
}

TEST(ServiceIntegrationTest, MigrateCommandIsIdempotentAndVisibleToTheRealClients) {
  auto config = testing::StackConfig();
  auto name = testing::UniqueName();
  config.clickhouse.database = "cinerec_c" + name;
  config.s3.bucket = "cinerec-c" + name;
  // Postgres: a fresh database so the run starts from nothing.
  std::string database = "cinerec_c" + name;
  ASSERT_EQ(
      std::system(
          ("psql -q '" + config.postgres.url + "' -c 'CREATE DATABASE " + database + "' >/dev/null").c_str()),
      0);
  config.postgres.url = config.postgres.url.substr(0, config.postgres.url.rfind('/')) + "/" + database;

  std::string env;
  for (const auto& e : testing::ConfigToEnvironment(config))
    env += "'" + e + "' ";
  for (int run = 0; run < 2; ++run) {
    auto status = std::system(("env " + env + CINEREC_BINARY + " migrate >/dev/null 2>&1").c_str());
    ASSERT_EQ(status, 0) << "migrate run " << run;
  }
  EXPECT_NE(Shell("psql -At '" + config.postgres.url + "' -c '\\dt'").find("reactions"), std::string::npos);
  auto ch_port = config.clickhouse.url.substr(config.clickhouse.url.rfind(':') + 1);
  EXPECT_NE(Shell("curl -s 'http://127.0.0.1:" + ch_port + "/?database=" + config.clickhouse.database
                  + "' --data-binary 'SHOW TABLES'")
                .find("watch_events"),
            std::string::npos);
  std::string aws = "env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID='" + config.s3.access_key
                    + "' AWS_SECRET_ACCESS_KEY='" + config.s3.secret_key
                    + "' AWS_DEFAULT_REGION=" + config.s3.region + " AWS_CONFIG_FILE='" + CINEREC_SOURCE_DIR
                    + "/.local/test/aws.config' /usr/bin/aws --endpoint-url " + config.s3.endpoint
                    + " s3 ls 2>&1";
  EXPECT_NE(Shell(aws).find(config.s3.bucket), std::string::npos) << Shell(aws);
}

TEST(ServiceIntegrationTest, EveryServedRouteIsInTheOpenApiDocument) {
  auto config = testing::IsolatedConfig();
  ServiceProcess service(config);
  auto doc = HttpCall(service.port(), "GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  auto paths = boost::json::parse(doc.body).at("paths").as_object();

  // Build the same router `serve` builds, and compare.
  auto stores = Stores::Connect(config);
  Metrics metrics;
  http::Router router;
  ReadinessChecker readiness(stores.Probes());
  RegisterHealthRoutes(router, readiness, metrics);
  AccountsModule accounts(config, stores);
  accounts.RegisterRoutes(router);
  ApiKeyAuthenticator auth({});
  catalog::InMemoryMovieRepository movies;
  RegisterCatalogRoutes(router, movies, auth);
  for (const auto& route : router.routes()) {
    std::string method = route.method;
    for (auto& c : method)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(paths.contains(route.pattern))
        << route.pattern << " is served but not documented in api/openapi.json";
    EXPECT_TRUE(paths.at(route.pattern).as_object().contains(method))
        << route.method << " " << route.pattern << " is served but not documented";
  }
}

TEST(ServiceIntegrationTest, InvalidConfigFailsAtStartNamingTheKey) {
  auto out = Shell(std::string("env CINEREC_POSTGRES_POOL_SIZE=lots ") + CINEREC_BINARY
                   + " serve 2>&1; echo \"exit=$?\"");
  EXPECT_NE(out.find("CINEREC_POSTGRES_POOL_SIZE"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
}

TEST(ServiceIntegrationTest, SecretsNeverAppearInLogs) {
  auto config = testing::IsolatedConfig();
  config.admin_api_keys = {"super-secret-admin-key-123"};
  auto out = Shell("env " +
                   [&] {
                     std::string env;
                     for (const auto& e : testing::ConfigToEnvironment(config))
                       env += "'" + e + "' ";
                     return env;
                   }()
                   + CINEREC_BINARY + " config 2>&1");
  EXPECT_EQ(out.find("super-secret-admin-key-123"), std::string::npos);
  EXPECT_EQ(out.find("= " + config.s3.secret_key + " "), std::string::npos) << out;
}

}  // namespace
}  // namespace cinerec
