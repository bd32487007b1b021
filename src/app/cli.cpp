#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/logging.h"

namespace cinerec {

int RunCli(int argc, char** argv) {
  CLI::App app{"cinerec: movie-recommendation platform backend"};
  app.require_subcommand(1);
  std::string config_path;
  app.add_option("-c,--config", config_path,
                 "TOML configuration file (environment variables CINEREC_* override it)")
      ->check(CLI::ExistingFile);
  app.set_version_flag("--version", std::string("cinerec ") + CINEREC_VERSION);

  std::string roles;
  auto* serve = app.add_subcommand("serve", "Run the HTTP API (all roles unless --roles says otherwise)");
  serve->add_option("--roles", roles,
                    "Comma-separated services to run: all, collect, recommend, analytics, accounts");
  auto* migrate =
      app.add_subcommand("migrate", "Apply PostgreSQL and ClickHouse migrations and create the S3 bucket");
  auto* show_config = app.add_subcommand("config", "Print the effective configuration (secrets redacted)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  Config config;
  try {
    std::map<std::string, std::string> env;
    config = Config::Load(config_path);
    if (!roles.empty()) {
      // The flag wins over file and environment; reuse the key's validation by loading it as an override.
      env["CINEREC_SERVE_ROLES"] = roles;
      config.roles = Config::Load("", env).roles;
    }
  } catch (const ConfigError& e) {
    std::cerr << "cinerec: " << e.what() << "\n";
    return 2;
  }
  InitLogging(config.log);

  try {
    if (*serve) return RunServe(config);
    if (*migrate) return RunMigrate(config);
    if (*show_config) {
      std::cout << config.Describe();
      return 0;
    }
  } catch (const StoreError& e) {
    spdlog::error("{} (is the store running? `make stack-status` tells)", e.what());
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace cinerec
