#include "ml/als.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "ml/als_solver.h"
#include "ml/parallel.h"
#include "ml/random.h"

namespace cinerec::ml {
namespace {

// Rows per parallel chunk: small enough to balance users with very different history lengths.
constexpr std::int64_t kGrain = 64;

RowCells CellsOf(const CsrMatrix& m, std::int32_t r) {
  const auto begin = static_cast<std::size_t>(m.RowBegin(r));
  const auto size = static_cast<std::size_t>(m.RowSize(r));
  return {{m.columns.data() + begin, size},
          {m.preference.data() + begin, size},
          {m.confidence.data() + begin, size}};
}

std::vector<float> RandomFactors(std::int64_t rows, int k, float scale, SplitMix64& rng) {
  std::vector<float> out(static_cast<std::size_t>(rows) * static_cast<std::size_t>(k));
  const float amplitude = scale / std::sqrt(static_cast<float>(k));
  for (float& v : out) {
    v = static_cast<float>((2.0 * rng.Unit() - 1.0) * amplitude);
  }
  return out;
}

// One half-iteration: every row of `m` against the fixed `other` factors.
void SolveSide(const CsrMatrix& m, std::vector<float>& side, const std::vector<float>& other,
               const AlsOptions& o) {
  const std::vector<float> gram = Gram(other.data(), m.cols, o.factors);
  const RowSystem system{other.data(), gram.data(), o.factors, o.regularization, o.alpha};
  ParallelFor(m.rows, kGrain, o.threads, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (auto r = static_cast<std::int32_t>(begin); r < end; ++r) {
      float* x = side.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(o.factors);
      if (o.cg_steps > 0) {
        SolveRowCg(system, CellsOf(m, r), o.cg_steps, x);
      } else {
        SolveRowExact(system, CellsOf(m, r), x);
      }
    }
  });
}

double SquaredNorm(const std::vector<float>& v) {
  double sum = 0;
  for (float x : v)
    sum += static_cast<double>(x) * x;
  return sum;
}

}  // namespace

void AlsOptions::Validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("ALS option " + what); };
  if (factors <= 0) fail("factors must be > 0");
  if (!(regularization >= 0.0f && std::isfinite(regularization))) fail("regularization must be >= 0");
  if (!(alpha >= 0.0f && std::isfinite(alpha))) fail("alpha must be >= 0");
  if (iterations < 0) fail("iterations must be >= 0");
  if (cg_steps < 0) fail("cg_steps must be >= 0");
  if (threads < 0) fail("threads must be >= 0");
  if (!(init_scale > 0.0f && std::isfinite(init_scale))) fail("init_scale must be > 0");
}

AlsModel TrainAls(const InteractionMatrix& matrix, const AlsOptions& options, const AlsCallback& callback) {
  options.Validate();
  AlsModel model;
  model.factors = options.factors;
  model.users = matrix.users();
  model.items = matrix.items();
  SplitMix64 rng(options.seed);
  model.user_factors = RandomFactors(model.users, options.factors, options.init_scale, rng);
  model.item_factors = RandomFactors(model.items, options.factors, options.init_scale, rng);

  for (int iteration = 1; iteration <= options.iterations; ++iteration) {
    const auto start = std::chrono::steady_clock::now();
    SolveSide(matrix.by_user(), model.user_factors, model.item_factors, options);
    SolveSide(matrix.by_item(), model.item_factors, model.user_factors, options);
    AlsProgress progress;
    progress.iteration = iteration;
    progress.model = &model;
    progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.loss = options.compute_loss
                        ? AlsLoss(matrix, model, options.regularization, options.alpha, options.threads)
                        : std::numeric_limits<double>::quiet_NaN();
    if (callback && !callback(progress)) break;
  }
  return model;
}

double AlsLoss(const InteractionMatrix& matrix, const AlsModel& model, float regularization, float alpha,
               int threads) {
  const CsrMatrix& m = matrix.by_user();
  const std::vector<float> gram = Gram(model.item_factors.data(), model.items, model.factors);
  const RowSystem system{model.item_factors.data(), gram.data(), model.factors, regularization, alpha};
  // One partial sum per chunk, added in chunk order: the same total for any thread count.
  std::vector<double> partial(static_cast<std::size_t>(ChunkCount(m.rows, kGrain)), 0.0);
  ParallelFor(m.rows, kGrain, threads, [&](std::int64_t chunk, std::int64_t begin, std::int64_t end) {
    double sum = 0;
    for (auto u = static_cast<std::int32_t>(begin); u < end; ++u)
      sum += RowLoss(system, CellsOf(m, u), model.UserVector(u).data());
    partial[static_cast<std::size_t>(chunk)] = sum;
  });
  double loss = 0;
  for (double p : partial)
    loss += p;
  return loss + regularization * (SquaredNorm(model.user_factors) + SquaredNorm(model.item_factors));
}

AlsFoldIn::AlsFoldIn(const AlsModel& model, float regularization, float alpha)
    : model_(model),
      regularization_(regularization),
      alpha_(alpha),
      gram_(Gram(model.item_factors.data(), model.items, model.factors)) {}

std::vector<float> AlsFoldIn::UserVector(std::span<const Interaction> history) const {
  std::vector<Interaction> known;
  known.reserve(history.size());
  for (Interaction x : history) {
    if (x.item < 0 || x.item >= model_.items) continue;
    x.user = 0;
    known.push_back(x);
  }
  const std::vector<Interaction> cells = CombineDuplicates(known);
  std::vector<std::int32_t> columns;
  std::vector<float> preference, confidence;
  for (const auto& c : cells) {
    columns.push_back(c.item);
    preference.push_back(c.preference);
    confidence.push_back(c.confidence);
  }
  const RowSystem system{model_.item_factors.data(), gram_.data(), model_.factors, regularization_, alpha_};
  std::vector<float> x(static_cast<std::size_t>(model_.factors), 0.0f);
  SolveRowExact(system, {columns, preference, confidence}, x.data());
  return x;
}

}  // namespace cinerec::ml
