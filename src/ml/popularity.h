#pragma once
// Popularity with time decay: the prior and the fallback for users the other models know nothing about.
//
//   score_i = sum over positive cells (u, i) of 0.5 ^ (age_ui / half_life)
//
// where a cell is positive when its combined preference is >= min_preference, and age_ui = now - the
// cell's latest time (negative ages count as 0). Counting cells, not interactions, means a view plus a
// like of one movie by one user counts once. half_life_days = 0 switches decay off (plain counts).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ml/interaction_matrix.h"
#include "ml/recommender.h"

namespace cinerec::ml {

struct PopularityOptions {
  double half_life_days = 30.0;
  std::int64_t now_ms =
      0;  // 0 = the latest cell time in the matrix (so that old data sets do not decay to 0)
  float min_preference = 0.5f;
};

// One score per item of the matrix.
std::vector<float> PopularityScores(const InteractionMatrix& matrix, const PopularityOptions& options);

// The same list for every user.
class PopularityRecommender : public Recommender {
 public:
  explicit PopularityRecommender(std::vector<float> scores) : scores_(std::move(scores)) {}
  std::string name() const override { return "popularity"; }
  std::int32_t items() const override { return static_cast<std::int32_t>(scores_.size()); }
  void Score(std::int32_t user, std::span<const Interaction> history, std::span<float> scores) const override;

 private:
  std::vector<float> scores_;
};

}  // namespace cinerec::ml
