// `cinerec train` and `cinerec evaluate`: the stores -> the matrix -> the models -> the evaluation table
// (stdout), progress on stderr; train also refits on everything and publishes the model.
#include "app/train.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "app/export_features.h"
#include "app/stores.h"
#include "app/train_lock.h"
#include "common/config.h"
#include "ml/hybrid_model_bundle.h"
#include "ml/interaction_builder.h"
#include "modelstore/model_bundle.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"
#include "training/bundle.h"
#include "training/hybrid_fit.h"
#include "training/min_counts.h"
#include "training/pg_interaction_reader.h"
#include "training/pg_movie_content.h"
#include "training/trainer.h"

namespace cinerec {
namespace {

constexpr int kNoData = 3;

void AddTrainingOptions(CLI::App* cmd, TrainingArgs& a) {
  cmd->add_option("--since", a.since, "Only interactions at or after this time (e.g. 2026-01-01)");
  cmd->add_option("--until", a.until, "Only interactions before this time");
  cmd->add_option("--min-user-interactions", a.min_user_interactions, "Drop users with fewer movies")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--min-movie-interactions", a.min_movie_interactions, "Drop movies with fewer users")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--factors", a.factors, "ALS factors")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--regularization", a.regularization, "ALS lambda")->capture_default_str();
  cmd->add_option("--alpha", a.alpha, "ALS confidence scale")->capture_default_str();
  cmd->add_option("--iterations", a.iterations, "ALS iterations (at most)")->capture_default_str();
  cmd->add_option("--cg-steps", a.cg_steps, "CG steps per row; 0 = exact Cholesky")->capture_default_str();
  cmd->add_option("--seed", a.seed, "Seed of the initial factors and the random split")
      ->capture_default_str();
  cmd->add_option("--threads", a.threads, "Threads; 0 = every core")->capture_default_str();
  cmd->add_option("--patience", a.patience,
                  "Stop ALS after this many iterations without a better validation NDCG@10; 0 = never")
      ->capture_default_str();
  cmd->add_option("--tune", a.tune, "ALS grid search (lambda, alpha, factors) on validation: auto, on, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--item-k", a.item_k, "Item-item weights kept per movie")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-content", a.no_content, "Skip the content model (genres, description terms, year)");
  cmd->add_option("--term-buckets", a.term_buckets, "Hashed description-term features of the content model")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 16));
  cmd->add_option("--ease", a.ease, "EASE baseline: auto (on up to 20,000 movies), on, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--ease-regularization", a.ease_regularization, "EASE lambda")->capture_default_str();
  cmd->add_option("--half-life-days", a.half_life_days, "Popularity decay; 0 = plain counts")
      ->capture_default_str();
  cmd->add_option("--split", a.split, "Held-out split: time (each user's latest) or random")
      ->capture_default_str()
      ->check(CLI::IsMember({"time", "random"}));
  cmd->add_option("--fraction", a.fraction, "Share of each user's movies held out")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  auto& w = a.signals;
  cmd->add_option("--completed-share", w.completed_share,
                  "A view with this share watched counts as completed")
      ->capture_default_str();
  cmd->add_option("--positive-share", w.positive_share, "Below this share a view is abandoned")
      ->capture_default_str();
  cmd->add_option("--completed-confidence", w.completed_confidence, "Confidence of a completed view")
      ->capture_default_str();
  cmd->add_option("--partial-confidence", w.partial_confidence,
                  "Confidence of a partial view, times its share")
      ->capture_default_str();
  cmd->add_option("--abandoned-confidence", w.abandoned_confidence,
                  "Confidence of an abandoned view (negative)")
      ->capture_default_str();
  cmd->add_option("--like-confidence", w.like_confidence, "Confidence of a like")->capture_default_str();
  cmd->add_option("--dislike-confidence", w.dislike_confidence, "Confidence of a dislike (negative)")
      ->capture_default_str();
  cmd->add_option("--rewatch-confidence", w.rewatch_confidence, "Confidence of each re-watch")
      ->capture_default_str();
  cmd->add_option("--k", a.ks, "Cut-offs of the metrics (e.g. --k 10,20)")
      ->delimiter(',')
      ->capture_default_str();
}

ml::InteractionMatrix ReadMatrix(const Config& config, const TrainingArgs& args, boost::json::object& data,
                                 training::CatalogContent& content) {
  auto stores = Stores::Connect(config);
  content = training::ReadCatalogContent(*stores.postgres);
  training::ReadOptions read;
  if (!args.since.empty()) read.since = args.since;
  if (!args.until.empty()) read.until = args.until;
  ml::InteractionBuilder builder{args.signals};
  const auto start = std::chrono::steady_clock::now();
  const auto counts = training::ReadInteractions(*stores.postgres, read, builder);
  const auto all = builder.Build();
  const auto filtered =
      training::FilterByMinCounts(all, {args.min_user_interactions, args.min_movie_interactions});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format(
      "read: {} views, {} reactions -> {} signals ({} re-watches, {} dropped) in {:.1f} s\n"
      "matrix: {} users x {} movies, {} cells; after min counts ({} users, {} movies; {} rounds): "
      "{} users x {} movies, {} cells\n",
      counts.views, counts.reactions, counts.signals, counts.rewatches, counts.dropped, seconds, all.users(),
      all.items(), all.nnz(), args.min_user_interactions, args.min_movie_interactions, filtered.rounds,
      filtered.matrix.users(), filtered.matrix.items(), filtered.matrix.nnz());
  data["since"] = args.since.empty() ? boost::json::value(nullptr) : boost::json::value(args.since);
  data["until"] = args.until.empty() ? boost::json::value(nullptr) : boost::json::value(args.until);
  data["views"] = counts.views;
  data["reactions"] = counts.reactions;
  data["signals"] = counts.signals;
  data["users"] = filtered.matrix.users();
  data["movies"] = filtered.matrix.items();
  data["interactions"] = filtered.matrix.nnz();
  return filtered.matrix;
}

training::HybridOptions HybridOptionsFrom(const TrainingArgs& a, const ml::InteractionMatrix& matrix) {
  training::HybridOptions o;
  o.als.factors = a.factors;
  o.als.regularization = a.regularization;
  o.als.alpha = a.alpha;
  o.als.iterations = a.iterations;
  o.als.cg_steps = a.cg_steps;
  o.als.seed = a.seed;
  o.als.threads = a.threads;
  o.patience = a.patience;
  o.tune_als = a.tune == "on" || (a.tune == "auto" && matrix.nnz() <= kTuneAutoMaxCells);
  o.ease = a.ease == "on" || (a.ease == "auto" && matrix.items() <= kEaseAutoMaxMovies);
  o.ease_options.regularization = a.ease_regularization;
  o.ease_options.threads = a.threads;
  o.item_k = a.item_k;
  o.content = !a.no_content;
  o.term_buckets = a.term_buckets;
  o.popularity.half_life_days = a.half_life_days;
  o.blend.seed = a.seed;
  o.blend.threads = a.threads;
  o.ks = a.ks;
  return o;
}

training::SplitOptions SplitOptionsFrom(const TrainingArgs& a) {
  return {a.split == "random" ? training::SplitKind::kRandom : training::SplitKind::kTime, a.fraction,
          a.seed};
}

boost::json::object Parameters(const TrainArgs& a, const training::HybridOptions& o,
                               const training::HybridEvaluation& e) {
  const auto& w = e.blend.weights;
  return {{"factors", e.als.factors},
          {"regularization", e.als.regularization},
          {"alpha", e.als.alpha},
          {"iterations", e.als.iterations},
          {"max_iterations", a.iterations},
          {"cg_steps", a.cg_steps},
          {"seed", a.seed},
          {"patience", a.patience},
          {"tuned", o.tune_als},
          {"blend",
           {{"als", w.als},
            {"item", w.item},
            {"popularity", w.popularity},
            {"genre", w.genre},
            {"content", w.content}}},
          {"item_weights", o.ease ? "ease" : "cooccurrence"},
          {"item_k", a.item_k},
          {"content", o.content},
          {"term_buckets", a.term_buckets},
          {"neighbors", a.neighbors},
          {"ease", o.ease},
          {"ease_regularization", a.ease_regularization},
          {"half_life_days", a.half_life_days},
          {"min_user_interactions", a.min_user_interactions},
          {"min_movie_interactions", a.min_movie_interactions},
          {"split", a.split},
          {"fraction", a.fraction},
          {"signals",
           {{"completed_share", a.signals.completed_share},
            {"positive_share", a.signals.positive_share},
            {"completed_confidence", a.signals.completed_confidence},
            {"partial_confidence", a.signals.partial_confidence},
            {"abandoned_confidence", a.signals.abandoned_confidence},
            {"like_confidence", a.signals.like_confidence},
            {"dislike_confidence", a.signals.dislike_confidence},
            {"rewatch_confidence", a.signals.rewatch_confidence}}}};
}

boost::json::object EvaluationJson(const std::vector<ml::EvaluationResult>& results) {
  boost::json::object metrics;
  for (const auto& r : results) {
    boost::json::object model{{"users", r.users}};
    for (const auto& m : r.at) {
      model[fmt::format("precision@{}", m.k)] = m.precision;
      model[fmt::format("recall@{}", m.k)] = m.recall;
      model[fmt::format("ndcg@{}", m.k)] = m.ndcg;
      model[fmt::format("map@{}", m.k)] = m.map;
      model[fmt::format("hit_rate@{}", m.k)] = m.hit_rate;
      model[fmt::format("coverage@{}", m.k)] = m.coverage;
    }
    metrics[r.model] = std::move(model);
  }
  return metrics;
}

// Reads, splits, fits and evaluates; prints the table. nullopt when there is nothing to train on.
struct Evaluated {
  ml::InteractionMatrix matrix;
  training::CatalogContent content;
  training::HybridOptions options;
  training::HybridEvaluation evaluation;
  boost::json::object data;
};
std::optional<Evaluated> ReadAndEvaluate(const Config& config, const TrainingArgs& args) {
  Evaluated e;
  e.matrix = ReadMatrix(config, args, e.data, e.content);
  if (e.matrix.nnz() == 0) {
    std::cerr << "nothing to train on: no interactions left in the window after the minimum counts\n";
    return std::nullopt;
  }
  e.options = HybridOptionsFrom(args, e.matrix);
  const auto held_out = training::SplitMatrix(e.matrix, SplitOptionsFrom(args));
  std::cerr << fmt::format("split ({}, {:.0f}%): {} training cells, {} held out\n", args.split,
                           args.fraction * 100, held_out.train.nnz(), held_out.test.size());
  e.evaluation = training::EvaluateHybrid(held_out.train, held_out.test, &e.content, e.options, std::cerr);
  std::cout << ml::FormatEvaluation(e.evaluation.evaluation) << std::flush;
  return e;
}

}  // namespace

CLI::App* AddTrainCommand(CLI::App& app, TrainArgs& args) {
  auto* cmd = app.add_subcommand(
      "train",
      "Fit the model on the stores' interactions, evaluate it, and publish it to S3 (docs/training.md)");
  AddTrainingOptions(cmd, args);
  cmd->add_option("--neighbors", args.neighbors, "Similar movies kept per movie")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--output", args.output, "Also write the artefacts and manifest.json to this folder");
  cmd->add_flag("--no-publish", args.no_publish, "Do not upload to S3 (with --output: files only)");
  cmd->add_flag("--no-features", args.no_features, "Do not write the user features to S3 after publishing");
  return cmd;
}

CLI::App* AddEvaluateCommand(CLI::App& app, TrainingArgs& args) {
  auto* cmd = app.add_subcommand(
      "evaluate", "Offline evaluation of popularity, ALS and EASE on a held-out split; writes no model");
  AddTrainingOptions(cmd, args);
  return cmd;
}

int RunEvaluate(const Config& config, const TrainingArgs& args) {
  return ReadAndEvaluate(config, args) ? 0 : kNoData;
}

int RunTrain(const Config& config, const TrainArgs& args) {
  // One trainer at a time across nodes; held until the model and its features are published.
  const auto lock = LockTrainingOrExplain(config, "cinerec train");
  if (!lock) return training::kLockedExitCode;
  auto evaluated = ReadAndEvaluate(config, args);
  if (!evaluated) return kNoData;
  auto& e = *evaluated;

  // The published model learns from everything, with the ALS options and iteration count chosen on
  // validation and the learned blend weights.
  training::HybridOptions final_options = e.options;
  final_options.als = e.evaluation.als;
  final_options.als.compute_loss = false;
  final_options.neighbors = args.neighbors;
  auto start = std::chrono::steady_clock::now();
  std::cerr << "-- final fit on all data\n";
  training::Components final_fit =
      training::FitComponents(e.matrix, {}, &e.content, final_options, std::cerr);
  final_fit.parts.weights = e.evaluation.blend.weights;
  std::cerr << fmt::format("final fit on all data ({} iterations): {:.1f} s\n", final_options.als.iterations,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

  modelstore::ModelBundle bundle;
  final_fit.parts.version = bundle.version();
  training::AddUserArtefacts(e.matrix, final_fit.als, bundle);
  ml::AddHybridArtefacts(final_fit.parts, bundle);
  bundle.data() = e.data;
  bundle.parameters() = Parameters(args, e.options, e.evaluation);
  bundle.metrics() = EvaluationJson(e.evaluation.evaluation);

  if (!args.output.empty()) {
    const std::filesystem::path dir(args.output);
    std::filesystem::create_directories(dir);
    for (const auto& [name, artefact] : bundle.artefacts())
      artefact.WriteFile(dir / modelstore::ArtefactFileName(name));
    std::ofstream(dir / "manifest.json") << bundle.BuildManifest().ToJson();
    std::cerr << "wrote " << bundle.artefacts().size() << " artefacts and manifest.json to " << args.output
              << "\n";
  }
  if (!args.no_publish) {
    auto stores = Stores::Connect(config);
    modelstore::ModelStore store(*stores.s3);
    store.Upload(bundle);
    const auto published = store.Publish(bundle.version());
    std::cerr << "uploaded models/" << bundle.version() << "/ and published it as LATEST"
              << (published.previous ? " (was " + *published.previous + ")" : std::string()) << "\n";
    if (!args.no_features) WriteFeaturesForModel(config, stores, bundle, args);
  }
  std::cout << "model version " << bundle.version() << (args.no_publish ? " (not published)" : "") << "\n";
  return 0;
}

}  // namespace cinerec
