#include "ml/als_recommender.h"

#include <Eigen/Core>

namespace cinerec::ml {

AlsRecommender::AlsRecommender(const AlsModel& model, float regularization, float alpha)
    : model_(model), fold_in_(model, regularization, alpha) {}

void AlsRecommender::Score(std::int32_t user, std::span<const Interaction> history,
                           std::span<float> scores) const {
  if (user >= 0 && user < model_.users) {
    ScoreFactors(model_.item_factors.data(), model_.items, model_.factors, model_.UserVector(user).data(),
                 scores.data());
    return;
  }
  const std::vector<float> x = fold_in_.UserVector(history);
  ScoreFactors(model_.item_factors.data(), model_.items, model_.factors, x.data(), scores.data());
}

void ScoreFactors(const float* item_factors, std::int32_t items, int k, const float* x, float* scores) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMajor> y(item_factors, items, k);
  Eigen::Map<Eigen::VectorXf>(scores, items).noalias() = y * Eigen::Map<const Eigen::VectorXf>(x, k);
}

}  // namespace cinerec::ml
