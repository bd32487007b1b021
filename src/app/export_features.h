#pragma once
// `cinerec export features` and the user features `cinerec train` writes after publishing
// (docs/training.md, "User features").
#include <cstddef>
#include <string>

namespace CLI {
class App;
}

namespace cinerec {

struct Config;
struct Stores;
struct TrainingArgs;
namespace modelstore {
class ModelBundle;
}

struct ExportFeaturesArgs {
  std::string version;  // "" = LATEST
  std::string since, until;
  double completed_share = -1;  // < 0: the model's parameters.signals.completed_share (else 0.9)
  std::size_t rows_per_part = 100000;
};

// Registers `features` under the `export` command.
CLI::App* AddExportFeaturesCommand(CLI::App& export_command, ExportFeaturesArgs& args);
// Loads the model (LATEST by default) from S3, recomputes the profiles from PostgreSQL, writes them.
int RunExportFeatures(const Config& config, const ExportFeaturesArgs& args);

// For `cinerec train`: the features of the model just published, over the training window. Throws with a
// message saying the model was published but its features were not.
void WriteFeaturesForModel(const Config& config, Stores& stores, const modelstore::ModelBundle& model,
                           const TrainingArgs& args);

}  // namespace cinerec
