#pragma once
// Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren, Volinsky 2008) with
// conjugate-gradient row solves (Takacs et al. 2011). Minimises
//
//   L = sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + lambda (sum_u |x_u|^2 + sum_i |y_i|^2)
//
// over every cell of the user x item matrix, where an observed cell has the preference p and
// c = 1 + alpha * confidence of ml/interaction_matrix.h, and an unobserved one p = 0, c = 1.
//
// Deterministic: for a seed, the factors are bit-identical whatever the thread count (each row's solve
// reads only the other side's factors and its own previous vector; reductions go in a fixed order).
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ml/interaction.h"
#include "ml/interaction_matrix.h"

namespace cinerec::ml {

struct AlsOptions {
  int factors = 64;
  float regularization = 0.1f;  // lambda
  float alpha = 10.0f;          // confidence scale: c = 1 + alpha * confidence
  int iterations = 15;          // full iterations (a user step and an item step each)
  int cg_steps = 3;             // CG steps per row and half-iteration; 0 = exact Cholesky solves
  std::uint64_t seed = 42;
  int threads = 0;           // 0 = every core
  bool compute_loss = true;  // the loss after each iteration costs about one more CG step
  float init_scale = 0.1f;   // initial factors uniform in +-init_scale / sqrt(factors)

  // Throws std::invalid_argument naming the first invalid field.
  void Validate() const;
};

// Factors as row-major float32 arrays: row u of user_factors is user u's vector (`factors` floats).
struct AlsModel {
  int factors = 0;
  std::int32_t users = 0;
  std::int32_t items = 0;
  std::vector<float> user_factors;  // users x factors
  std::vector<float> item_factors;  // items x factors

  std::span<const float> UserVector(std::int32_t u) const { return Row(user_factors, u); }
  std::span<const float> ItemVector(std::int32_t i) const { return Row(item_factors, i); }

 private:
  std::span<const float> Row(const std::vector<float>& m, std::int32_t r) const {
    return {m.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(factors),
            static_cast<std::size_t>(factors)};
  }
};

struct AlsProgress {
  int iteration = 0;   // 1-based, the iteration just finished
  double loss = 0;     // L above; NaN when compute_loss is off
  double seconds = 0;  // wall time of this iteration (without the loss)
  // The factors after this iteration, valid during the callback only (e.g. to evaluate on a validation
  // split).
  const AlsModel* model = nullptr;
};
// Called after each iteration; returning false stops training (early stopping).
using AlsCallback = std::function<bool(const AlsProgress&)>;

AlsModel TrainAls(const InteractionMatrix& matrix, const AlsOptions& options,
                  const AlsCallback& callback = {});

// L above for a model (threads: 0 = every core).
double AlsLoss(const InteractionMatrix& matrix, const AlsModel& model, float regularization, float alpha,
               int threads = 0);

// A user vector for someone the model has not seen, from their history (item indices of the model; the
// user field is ignored; duplicates combined as in ml/interaction_matrix.h; items outside the model are
// skipped): the exact least-squares solve of the user step against the fixed item factors. Precomputes
// YtY once, so that each fold-in costs O(history k^2 + k^3).
class AlsFoldIn {
 public:
  AlsFoldIn(const AlsModel& model, float regularization, float alpha);
  std::vector<float> UserVector(std::span<const Interaction> history) const;

 private:
  const AlsModel& model_;
  float regularization_, alpha_;
  std::vector<float> gram_;
};

}  // namespace cinerec::ml
