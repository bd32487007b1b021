// `cinerec export features` and the feature step of `cinerec train`.
#include "app/export_features.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <stdexcept>

#include "app/stores.h"
#include "app/train.h"
#include "common/config.h"
#include "modelstore/errors.h"
#include "modelstore/model_bundle.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"
#include "training/feature_export.h"

namespace cinerec {
namespace {

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// The completed share the model was trained with, so that profiles and model agree on "completed".
double CompletedShareOf(const modelstore::ModelBundle& model) {
  const auto* signals = model.parameters().if_contains("signals");
  if (signals && signals->is_object()) {
    const auto* share = signals->as_object().if_contains("completed_share");
    if (share && share->is_number()) return share->to_number<double>();
  }
  return ml::SignalWeights{}.completed_share;
}

training::FeatureSetResult Export(const Config& config, Stores& stores, const modelstore::ModelBundle& model,
                                  const training::FeatureExportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = training::ExportUserFeatures(*stores.postgres, *stores.s3, model, options);
  std::cerr << fmt::format(
      "user features: {} users ({} with factors) in {} part(s), {:.1f} KiB, s3://{}/{} ({:.1f} s)\n",
      result.rows, result.rows_with_factors, result.parts, static_cast<double>(result.bytes) / 1024,
      config.s3.bucket, result.folder,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

}  // namespace

CLI::App* AddExportFeaturesCommand(CLI::App& export_command, ExportFeaturesArgs& args) {
  auto* cmd = export_command.add_subcommand("features",
                                            "Write per-user ML features (factors, genre affinities, "
                                            "activity, recency) to s3://<bucket>/features/<date>/");
  cmd->add_option("--version", args.version, "Model version whose factor vectors to use (default: LATEST)");
  cmd->add_option("--since", args.since, "Only activity at or after this time (e.g. 2026-01-01)");
  cmd->add_option("--until", args.until,
                  "Only activity before this time; also the recency reference (default: now)");
  cmd->add_option("--completed-share", args.completed_share,
                  "A view watched this far counts as completed (default: the model's)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--rows-per-part", args.rows_per_part, "Users per gzip'd JSON-lines part")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  return cmd;
}

int RunExportFeatures(const Config& config, const ExportFeaturesArgs& args) {
  auto stores = Stores::Connect(config);
  modelstore::ModelStore store(*stores.s3);
  std::string version = args.version;
  if (version.empty()) {
    const auto latest = store.Latest();
    if (!latest) {
      std::cerr << "no published model in s3://" << config.s3.bucket
                << "/models/ yet: run `cinerec train` first (the features need its factor vectors)\n";
      return 1;
    }
    version = *latest;
  }
  const auto model = store.Load(version);
  training::FeatureExportOptions options;
  options.since = NonEmpty(args.since);
  options.until = NonEmpty(args.until);
  options.completed_share = args.completed_share >= 0 ? args.completed_share : CompletedShareOf(model);
  options.rows_per_part = args.rows_per_part;
  const auto result = Export(config, stores, model, options);
  std::cout << "features " << result.folder << " (" << result.rows << " users, model " << version << ")\n";
  return 0;
}

void WriteFeaturesForModel(const Config& config, Stores& stores, const modelstore::ModelBundle& model,
                           const TrainingArgs& args) {
  training::FeatureExportOptions options;
  options.since = NonEmpty(args.since);
  options.until = NonEmpty(args.until);
  options.completed_share = args.signals.completed_share;
  try {
    Export(config, stores, model, options);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("model {} is published, but writing its user features failed: {} (retry with `cinerec "
                    "export features "
                    "--version {}`)",
                    model.version(), e.what(), model.version()));
  }
}

}  // namespace cinerec
