// `cinerec models list | show VERSION | publish VERSION | rollback | retain N` (docs/model-store.md).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstddef>
#include <iostream>
#include <iterator>

#include "app/commands.h"
#include "app/stores.h"
#include "app/train_lock.h"
#include "common/config.h"
#include "common/errors.h"
#include "modelstore/model_store.h"
#include "storage/s3/object_store.h"

namespace cinerec {
namespace {

using modelstore::ModelStore;

std::string HumanBytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

int List(ModelStore& store, const std::string& bucket) {
  const auto versions = store.List();
  if (versions.empty()) {
    std::cout << "No model versions in s3://" << bucket << "/models/ yet (`cinerec train` uploads them).\n";
    return 0;
  }
  std::cout << fmt::format("{:<25}{:<22}{:>7}{:>12}  {}\n", "VERSION", "CREATED (UTC)", "FILES", "SIZE",
                           "STATUS");
  for (const auto& v : versions) {
    std::string status = v.latest ? "LATEST" : v.previous ? "previous (rollback target)" : "";
    if (!v.complete) status = "incomplete (no manifest)";
    std::string created = v.created_at;
    std::replace(created.begin(), created.end(), 'T', ' ');
    if (!created.empty() && created.back() == 'Z') created.pop_back();
    std::cout << fmt::format("{:<25}{:<22}{:>7}{:>12}  {}\n", v.version, created, v.files,
                             HumanBytes(v.bytes), status);
  }
  return 0;
}

}  // namespace

CLI::App* AddModelsCommand(CLI::App& app, ModelsArgs& args) {
  auto* models =
      app.add_subcommand("models", "List, inspect, publish, roll back and prune model versions in S3");
  models->require_subcommand(1);
  models->add_subcommand("list", "Every version, newest first, with LATEST and the rollback target marked");
  models->add_subcommand("show", "Print a version's manifest.json")
      ->add_option("version", args.version, "Version id (see `cinerec models list`)")
      ->required();
  models->add_subcommand("publish", "Check a version is complete, then point models/LATEST at it")
      ->add_option("version", args.version, "Version id (see `cinerec models list`)")
      ->required();
  models->add_subcommand("rollback", "Point models/LATEST back at the version published before it");
  models
      ->add_subcommand("retain",
                       "Delete all but the newest N versions (never LATEST nor the rollback target)")
      ->add_option("n", args.keep, "How many of the newest versions to keep")
      ->required()
      ->check(CLI::Range(1, 1000000));
  return models;
}

int RunModels(const Config& config, const CLI::App& command, const ModelsArgs& args) {
  auto stores = Stores::Connect(config);
  ModelStore store(*stores.s3);
  const std::string where = fmt::format("s3://{}/models/", config.s3.bucket);
  try {
    if (command.got_subcommand("list")) return List(store, config.s3.bucket);
    // publish, rollback and retain read-modify-write HISTORY: one writer at a time, the trainers' lock.
    std::unique_ptr<training::TrainerLock> lock;
    for (const char* writer : {"publish", "rollback", "retain"}) {
      if (!command.got_subcommand(writer)) continue;
      lock = LockTrainingOrExplain(config, std::string("cinerec models ") + writer);
      if (!lock) return training::kLockedExitCode;
    }
    if (command.got_subcommand("show")) {
      std::cout << store.Show(args.version).ToJson();
      return 0;
    }
    if (command.got_subcommand("publish")) {
      const auto result = store.Publish(args.version);
      if (result.already_latest) {
        std::cout << args.version << " is already the published version; nothing changed.\n";
      } else {
        std::cout << "Published " << args.version << " (" << where << "LATEST"
                  << (result.previous ? ", was " + *result.previous : std::string()) << ").\n";
      }
      return 0;
    }
    if (command.got_subcommand("rollback")) {
      const auto result = store.Rollback();
      for (const auto& skipped : result.skipped)
        std::cout << "Skipped " << skipped << ": no longer complete.\n";
      std::cout << "Rolled back " << where << "LATEST from " << result.from << " to " << result.to << ".\n";
      return 0;
    }
    if (command.got_subcommand("retain")) {
      const auto result = store.Retain(args.keep);
      for (const auto& v : result.deleted)
        std::cout << "Deleted " << v << "\n";
      std::cout << fmt::format("Kept {} version(s), deleted {}.\n", result.kept.size(),
                               result.deleted.size());
      return 0;
    }
  } catch (const modelstore::ModelStoreError& e) {
    std::cerr << "cinerec models: " << e.what() << "\n";
    return 1;
  } catch (const StoreError& e) {
    const std::string message = e.what();
    std::cerr
        << "cinerec models: " << message << "\n"
        << (message.find("NoSuchBucket") != std::string::npos
                ? "The bucket does not exist: check s3.bucket (CINEREC_S3_BUCKET) or run `cinerec migrate`.\n"
                : "Is S3 running and configured (s3.endpoint, credentials)? `make stack-status` tells.\n");
    return 1;
  }
  return 2;
}

}  // namespace cinerec
