#pragma once
// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a closed-form item-item model.
// With X the user x item matrix (here X_ui = the cell's preference, so dislikes and abandoned views add
// nothing) and G = X^T X:
//
//   P = (G + lambda I)^-1,   B = I - P diag(1 / diag(P)),  i.e. B_ij = -P_ij / P_jj, B_jj = 0
//
// which minimises |X - X B|^2 + lambda |B|^2 subject to diag(B) = 0; a user's scores are x_u B.
// Dense: memory 2 x items^2 floats while fitting (3.2 GB at 20k items) and O(items^3) time, so it suits
// catalogues up to a few tens of thousands of movies. Float32 throughout: G + lambda I is well
// conditioned for the lambdas that work (hundreds), and float halves the memory.
#include <cstdint>
#include <span>
#include <vector>

#include "ml/interaction_matrix.h"
#include "ml/recommender.h"

namespace cinerec::ml {

struct EaseOptions {
  float regularization = 500.0f;  // lambda; Steck's best on ML-20M was in the hundreds
  int threads = 0;                // for the Gram matrix; 0 = every core
};

struct EaseModel {
  std::int32_t items = 0;
  std::vector<float> weights;  // B, items x items, row-major: weights[i * items + j] = B_ij

  // scores_j = sum over history cells i of preference_i * B_ij. REQUIRES: scores.size() == items.
  void Score(std::span<const Interaction> history, std::span<float> scores) const;
};

// Throws std::invalid_argument for a negative lambda or a zero lambda with a singular Gram matrix.
EaseModel TrainEase(const InteractionMatrix& matrix, const EaseOptions& options);

// The item-item Gram matrix X^T X (items x items, row-major) of the preferences.
std::vector<float> ItemGram(const InteractionMatrix& matrix, int threads);

class EaseRecommender : public Recommender {
 public:
  explicit EaseRecommender(const EaseModel& model) : model_(model) {}
  std::string name() const override { return "ease"; }
  std::int32_t items() const override { return model_.items; }
  void Score(std::int32_t, std::span<const Interaction> history, std::span<float> scores) const override {
    model_.Score(history, scores);
  }

 private:
  const EaseModel& model_;
};

}  // namespace cinerec::ml
