// `make bench` stage "train" (scripts/bench.sh, docs/benchmarks.md): implicit ALS, cosine neighbours and the
// offline evaluation on a synthetic MovieLens-20M-sized matrix built in memory (no PostgreSQL), printing
// seconds per ALS iteration (wall and process CPU), an estimate of GFLOP/s per core, peak memory, the
// neighbour and evaluation times.
//
// Data: `--interactions` (user, movie) draws; users uniform, movies power-law (index = items * u^3, so a few
// movies take most views, as in MovieLens); duplicates combine into one cell, so the matrix has somewhat
// fewer cells than draws. Times uniform over a year; the held-out split is the latest 20% of each user's
// cells, as `cinerec evaluate` does.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

#include "ml/als.h"
#include "ml/als_recommender.h"
#include "ml/evaluate.h"
#include "ml/interaction_matrix.h"
#include "ml/neighbors.h"
#include "ml/random.h"
#include "ml/split.h"

namespace {

using cinerec::ml::Interaction;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
}

// Floating-point operations of one full ALS iteration with `cg` conjugate-gradient steps per row (the
// implementation in src/ml/als_solver.cpp), counted as multiply + add = 2:
//   per half-iteration: the Gram matrix of the fixed side (2 k^2 per fixed row), and for each solved row
//   (cg + 1) products with the row's matrix (the residual, then one per step): 2 k^2 for YtY p plus 4 k per
//   observed cell for the (c - 1) y (y . p) terms, plus ~10 k of vector updates.
double FlopsPerIteration(double users, double items, double nnz, double k, double cg) {
  auto half = [&](double solved, double fixed) {
    return 2 * k * k * fixed + (cg + 1) * (solved * (2 * k * k + 10 * k) + nnz * 4 * k);
  };
  return half(users, items) + half(items, users);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ALS, neighbours and evaluation on a synthetic MovieLens-20M-sized matrix"};
  std::int32_t users = 138000, items = 27000;
  std::int64_t draws = 20000000;
  int factors = 64, iterations = 3, cg_steps = 3, threads = 0, neighbors = 20;
  bool evaluate = true;
  app.add_option("--users", users)->capture_default_str();
  app.add_option("--items", items)->capture_default_str();
  app.add_option("--interactions", draws)->capture_default_str();
  app.add_option("--factors", factors)->capture_default_str();
  app.add_option("--iterations", iterations)->capture_default_str();
  app.add_option("--cg-steps", cg_steps)->capture_default_str();
  app.add_option("--threads", threads, "0 = every core")->capture_default_str();
  app.add_option("--neighbors", neighbors)->capture_default_str();
  app.add_option("--evaluate", evaluate, "Also time the evaluation (k = 10, 20) on a 20% time split")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const unsigned cores = threads > 0 ? static_cast<unsigned>(threads) : std::thread::hardware_concurrency();

  double t0 = WallSeconds();
  std::vector<Interaction> interactions(static_cast<std::size_t>(draws));
  cinerec::ml::SplitMix64 rng(20);
  constexpr std::int64_t kYearMs = 365LL * 86400 * 1000;
  for (auto& x : interactions) {
    const double u = rng.Unit();
    x.user = static_cast<std::int32_t>(rng.Unit() * users);
    x.item = static_cast<std::int32_t>(u * u * u * items);
    x.preference = 1.0f;
    x.confidence = 1.0f;
    x.time_ms = 1735689600000 + static_cast<std::int64_t>(rng.Unit() * kYearMs);
  }
  cinerec::ml::TimeSplitOptions split_options;
  split_options.fraction = 0.2;
  const auto split = cinerec::ml::SplitByTime(interactions, split_options);
  std::vector<Interaction>().swap(interactions);  // only the split is kept
  const auto train = cinerec::ml::InteractionMatrix::Build(users, items, split.train);
  const double build_s = WallSeconds() - t0;
  fmt::print(
      "    data: {} users x {} movies, {} draws -> {} training cells + {} held out ({:.1f} s to build)\n",
      users, items, draws, train.nnz(), split.test.size(), build_s);

  cinerec::ml::AlsOptions options;
  options.factors = factors;
  options.iterations = iterations;
  options.cg_steps = cg_steps;
  options.threads = threads;
  options.compute_loss = false;
  std::vector<double> wall, cpu;
  double cpu_mark = CpuSeconds();
  t0 = WallSeconds();
  const auto model = cinerec::ml::TrainAls(train, options, [&](const cinerec::ml::AlsProgress& p) {
    const double now = CpuSeconds();
    wall.push_back(p.seconds);
    cpu.push_back(now - cpu_mark);
    cpu_mark = now;
    return true;
  });
  const double als_total = WallSeconds() - t0;
  const double flops = FlopsPerIteration(users, items, static_cast<double>(train.nnz()), factors, cg_steps);
  // The first iteration starts from random factors like the others; all are the same work.
  double wall_sum = 0, cpu_sum = 0, wall_best = 1e300;
  for (std::size_t i = 0; i < wall.size(); ++i) {
    wall_sum += wall[i];
    cpu_sum += cpu[i];
    wall_best = std::min(wall_best, wall[i]);
    fmt::print("    ALS iteration {}: {:.2f} s wall, {:.2f} CPU-s\n", i + 1, wall[i], cpu[i]);
  }
  const double n = static_cast<double>(wall.size());
  fmt::print(
      "    ALS ({} factors, {} CG steps, {} threads): {:.2f} s wall / iteration (best {:.2f}; goal <= 3 s on "
      "2 "
      "cores), {:.2f} CPU-s / iteration (anchor: 6.7 core-s), {:.1f} GFLOP per iteration, {:.1f} GFLOP/s per "
      "core (total {:.1f} s)\n",
      factors, cg_steps, cores, wall_sum / n, wall_best, cpu_sum / n, flops / 1e9,
      flops / (cpu_sum / n) / 1e9, als_total);

  double cpu0 = CpuSeconds();
  t0 = WallSeconds();
  const auto similar =
      cinerec::ml::CosineNeighbors(model.item_factors, model.items, model.factors, neighbors, threads);
  fmt::print("    cosine neighbours, K = {}: {:.2f} s wall, {:.2f} CPU-s ({} movies)\n", neighbors,
             WallSeconds() - t0, CpuSeconds() - cpu0, similar.items);

  if (evaluate) {
    const cinerec::ml::AlsRecommender recommender(model, options.regularization, options.alpha);
    cinerec::ml::EvaluationOptions eval;
    eval.threads = threads;
    cpu0 = CpuSeconds();
    t0 = WallSeconds();
    const auto result = cinerec::ml::Evaluate(recommender, train, split.test, eval);
    fmt::print(
        "    evaluation, k = 10 and 20: {:.2f} s wall, {:.2f} CPU-s ({} users; NDCG@10 {:.4f} on random "
        "data)\n",
        WallSeconds() - t0, CpuSeconds() - cpu0, result.users, result.At(10) ? result.At(10)->ndcg : 0.0);
  }
  fmt::print("    peak RSS: {:.0f} MiB\n", PeakRssMiB());
  return 0;
}
