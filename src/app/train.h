#pragma once
// `cinerec train` and `cinerec evaluate` (docs/training.md): read views and reactions from PostgreSQL, fit
// the hybrid model and its baselines (popularity, ALS, EASE), print the offline evaluation; `train` also
// refits on all the data and uploads and publishes the model to S3 (and/or writes its artefacts to --output).
#include <cstdint>
#include <string>
#include <vector>

#include "ml/signals.h"

namespace CLI {
class App;
}

namespace cinerec {

struct Config;

// What both commands read and fit.
struct TrainingArgs {
  std::string since, until;  // PostgreSQL timestamptz literals; "" = unbounded
  std::int64_t min_user_interactions = 5;
  std::int64_t min_movie_interactions = 5;
  int factors = 64;
  float regularization = 0.1f;
  float alpha = 10.0f;
  int iterations = 15;
  int cg_steps = 3;
  std::uint64_t seed = 42;
  int threads = 0;
  int patience = 2;
  std::string tune =
      "auto";  // ALS grid search on validation: auto (on up to kTuneAutoMaxCells cells), on, off
  std::string ease = "auto";  // auto (on when the catalogue has <= kEaseAutoMaxMovies movies), on, off
  int item_k = 200;           // item-item weights kept per movie (the blend's item component)
  bool no_content = false;    // skip the content model
  int term_buckets = 1024;    // hashed description-term features of the content model
  float ease_regularization = 500.0f;
  double half_life_days = 30.0;
  std::string split = "time";  // time or random
  double fraction = 0.2;
  std::vector<int> ks = {10, 20};
  ml::SignalWeights signals;  // how views and reactions become preference and confidence
};

struct TrainArgs : TrainingArgs {
  int neighbors = 20;
  std::string output;        // non-empty: also write the artefacts and manifest.json here
  bool no_publish = false;   // skip the S3 upload and publish
  bool no_features = false;  // skip the user features written after publishing (app/export_features.h)
};

inline constexpr std::int32_t kEaseAutoMaxMovies = 20000;
inline constexpr std::int64_t kTuneAutoMaxCells = 2000000;

CLI::App* AddTrainCommand(CLI::App& app, TrainArgs& args);
CLI::App* AddEvaluateCommand(CLI::App& app, TrainingArgs& args);
int RunTrain(const Config& config, const TrainArgs& args);
int RunEvaluate(const Config& config, const TrainingArgs& args);

}  // namespace cinerec
