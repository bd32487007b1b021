#pragma once
// The training and evaluation run on a matrix, without any store: a held-out split, popularity, implicit
// ALS (with a validation NDCG@10 after every iteration and early stopping) and EASE, all evaluated on the
// same held-out cells. `cinerec train` and `cinerec evaluate` (app/train.cpp) call it after reading the
// stores; the unit tests call it on made-up matrices. Deterministic for the seeds in the options.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <vector>

#include "ml/als.h"
#include "ml/ease.h"
#include "ml/evaluate.h"
#include "ml/interaction_matrix.h"
#include "ml/popularity.h"
#include "ml/split.h"

namespace cinerec::training {

enum class SplitKind { kTime, kRandom };

struct SplitOptions {
  SplitKind kind = SplitKind::kTime;
  double fraction = 0.2;  // of each user's cells held out (the latest ones, or drawn at random)
  std::uint64_t seed = 42;
};

// The held-out split of a matrix's cells, and the training part as a matrix with the same id maps.
struct HeldOut {
  ml::InteractionMatrix train;
  std::vector<ml::Interaction> test;
};
HeldOut SplitMatrix(const ml::InteractionMatrix& matrix, const SplitOptions& options);

struct ModelOptions {
  ml::AlsOptions als;
  // Stop when validation NDCG@10 has not improved for this many iterations (0 = never); the factors of the
  // best iteration are kept.
  int patience = 2;
  bool ease = true;
  ml::EaseOptions ease_options;
  ml::PopularityOptions popularity;
  std::vector<int> ks = {10, 20};
};

struct FitResult {
  ml::AlsModel als;        // the factors of the best iteration
  int best_iteration = 0;  // 0 when ALS ran no iteration
  double best_ndcg10 = 0;
  std::vector<float> popularity;
  std::optional<ml::EaseModel> ease;
  std::vector<ml::EvaluationResult> evaluation;  // popularity, als, then ease when fitted
};

// Fits every model on `train` and evaluates it on `test`. Writes one progress line per stage and ALS
// iteration to `progress` (iteration, seconds, loss, validation NDCG@10).
FitResult FitAndEvaluate(const ml::InteractionMatrix& train, std::span<const ml::Interaction> test,
                         const ModelOptions& options, std::ostream& progress);

}  // namespace cinerec::training
