#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/analytics_commands.h"
#include "app/commands.h"
#include "app/export_features.h"
#include "app/train.h"
#include "app/train_scheduler.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/logging.h"
#include "training/retrain_policy.h"

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
  TrainScheduleArgs schedule_args;
  serve
      ->add_option(
          "--train-every", schedule_args.every,
          "Retrain in the background when enough new data arrived, checking this often (30m, 6h, 1d)")
      ->check([](const std::string& text) {
        try {
          training::ParseDuration(text);
          return std::string();
        } catch (const std::invalid_argument& e) {
          return std::string(e.what());
        }
      });
  serve
      ->add_option("--train-min-new", schedule_args.min_new,
                   "New views and reactions since the published model that trigger a retraining")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve->add_option("--train-args", schedule_args.train_args,
                    "Extra arguments for the scheduled `cinerec train` (e.g. \"--factors 32 --threads 2\")");
  auto* migrate =
      app.add_subcommand("migrate", "Apply PostgreSQL and ClickHouse migrations and create the S3 bucket");
  auto* show_config = app.add_subcommand("config", "Print the effective configuration (secrets redacted)");

  ImportArgs import_args;
  auto* import =
      app.add_subcommand("import", "Import a MovieLens data set (ml-100k, ml-1m, ml-latest) into the stores");
  import->add_option("dir", import_args.dir, "Folder with the MovieLens files")
      ->required()
      ->check(CLI::ExistingDirectory);
  import->add_option("--format", import_args.format,
                     "ml-100k, ml-1m or ml-latest (default: detected from the files)");
  import->add_flag("--remap-ids", import_args.remap_ids,
                   "Assign new ids (source ids kept as external ids); required for a non-empty database");
  import->add_flag("--skip-bad-rows", import_args.skip_bad_rows,
                   "Skip and count malformed rows instead of failing");
  import->add_option("--like-threshold", import_args.like_threshold, "A rating >= this is also a like")
      ->capture_default_str();
  import
      ->add_option("--dislike-threshold", import_args.dislike_threshold, "A rating <= this is also a dislike")
      ->capture_default_str();

  import->add_flag("--if-empty", import_args.if_empty, "Do nothing when the database already has movies");

  GenerateArgs generate_args;
  auto* generate = app.add_subcommand("generate", "Generate a synthetic data set (deterministic for a seed)");
  generate->add_option("--users", generate_args.users, "Users")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  generate->add_option("--movies", generate_args.movies, "Movies")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  generate->add_option("--interactions", generate_args.interactions, "Watch sessions")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  generate->add_option("--seed", generate_args.seed, "Random seed")->capture_default_str();
  generate->add_option("--days", generate_args.days, "History spans this many days")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  generate->add_option("--end-time", generate_args.end_time,
                       "Unix time of the newest interaction (default: today's midnight UTC)");
  generate->add_option("--out-dir", generate_args.out_dir, "Write MovieLens-latest CSV files here instead");
  generate->add_flag("--if-empty", generate_args.if_empty, "Do nothing when the database already has movies");
  generate->add_flag("--remap-ids", generate_args.remap_ids, "Assign new ids (for a non-empty database)");

  ModelsArgs models_args;
  auto* models = AddModelsCommand(app, models_args);
  TrainArgs train_args;
  auto* train = AddTrainCommand(app, train_args);
  TrainingArgs evaluate_args;
  auto* evaluate = AddEvaluateCommand(app, evaluate_args);
  // `export` groups the commands that write data sets for other tools to S3.
  auto* export_command = app.add_subcommand("export", "Write data sets for other tools to S3");
  export_command->require_subcommand(1);
  ExportFeaturesArgs export_features_args;
  auto* export_features = AddExportFeaturesCommand(*export_command, export_features_args);

  ExportHistoryArgs export_history_args;
  auto* export_history = AddExportHistoryCommand(*export_command, export_history_args);
  ReportArgs report_args;
  auto* report = AddReportCommand(app, report_args);
  RetentionArgs retention_args;
  auto* retention = AddRetentionCommand(app, retention_args);
  SyncDimensionsArgs sync_dimensions_args;
  auto* sync_dimensions = AddSyncDimensionsCommand(app, sync_dimensions_args);
  RollupArgs rollup_args;
  auto* rollup = AddRollupCommand(app, rollup_args);

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
    if (*serve) {
      TrainScheduler scheduler(config, schedule_args);  // stopped (its trainer too) when serving ends
      return RunServe(config);
    }
    if (*migrate) return RunMigrate(config);
    if (*import) return RunImport(config, import_args);
    if (*generate) return RunGenerate(config, generate_args);
    if (*models) return RunModels(config, *models, models_args);
    if (*train) return RunTrain(config, train_args);
    if (*evaluate) return RunEvaluate(config, evaluate_args);
    if (*export_history) return RunExportHistory(config, export_history_args);
    if (*report) return RunReport(config, report_args);
    if (*retention) return RunRetention(config, retention_args);
    if (*sync_dimensions) return RunSyncDimensions(config, sync_dimensions_args);
    if (*rollup) return RunRollup(config, rollup_args);
    if (*export_features) return RunExportFeatures(config, export_features_args);
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
