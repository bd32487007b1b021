#pragma once
// ALS as a Recommender: scores = Y x_u, with x_u the trained vector of a known user, or the fold-in of
// their history (ml/als.h) for a user the model has not seen.
#include "ml/als.h"
#include "ml/recommender.h"

namespace cinerec::ml {

class AlsRecommender : public Recommender {
 public:
  // `regularization` and `alpha` as trained (the fold-in solves the same user step). Keeps a reference to
  // `model`, which must outlive this.
  AlsRecommender(const AlsModel& model, float regularization, float alpha);

  std::string name() const override { return "als"; }
  std::int32_t items() const override { return model_.items; }
  void Score(std::int32_t user, std::span<const Interaction> history, std::span<float> scores) const override;

 private:
  const AlsModel& model_;
  AlsFoldIn fold_in_;
};

// scores_i = y_i . x for every row of a row-major items x k matrix.
void ScoreFactors(const float* item_factors, std::int32_t items, int k, const float* x, float* scores);

}  // namespace cinerec::ml
