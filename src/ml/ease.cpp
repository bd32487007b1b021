#include "ml/ease.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <stdexcept>

#include "ml/parallel.h"

namespace cinerec::ml {

std::vector<float> ItemGram(const InteractionMatrix& matrix, int threads) {
  const auto n = static_cast<std::size_t>(matrix.items());
  std::vector<float> gram(n * n, 0.0f);
  const CsrMatrix& users = matrix.by_user();
  const CsrMatrix& items = matrix.by_item();
  // Row i of G from the users of item i: each row is written by one thread only, so no locks and the same
  // sums in the same order for any thread count. Cost sum_u |u|^2.
  ParallelFor(matrix.items(), 16, threads, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (auto i = static_cast<std::int32_t>(begin); i < end; ++i) {
      float* row = gram.data() + static_cast<std::size_t>(i) * n;
      for (std::int64_t a = items.RowBegin(i); a < items.RowEnd(i); ++a) {
        const float x_ui = items.preference[static_cast<std::size_t>(a)];
        if (x_ui == 0.0f) continue;
        const std::int32_t u = items.columns[static_cast<std::size_t>(a)];
        for (std::int64_t b = users.RowBegin(u); b < users.RowEnd(u); ++b)
          row[users.columns[static_cast<std::size_t>(b)]] +=
              x_ui * users.preference[static_cast<std::size_t>(b)];
      }
    }
  });
  return gram;
}

EaseModel TrainEase(const InteractionMatrix& matrix, const EaseOptions& options) {
  if (!(options.regularization >= 0.0f)) throw std::invalid_argument("EASE regularization must be >= 0");
  const std::int32_t n = matrix.items();
  EaseModel model;
  model.items = n;
  model.weights = ItemGram(matrix, options.threads);
  {
    // G is symmetric, so its row-major storage is also G column-major; factor it in place (no copy).
    Eigen::Map<Eigen::MatrixXf> g(model.weights.data(), n, n);
    g.diagonal().array() += options.regularization;
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXf>> llt(g);
    if (llt.info() != Eigen::Success)
      throw std::invalid_argument("EASE: X^T X + lambda I is not positive definite (raise lambda)");
    Eigen::MatrixXf p = Eigen::MatrixXf::Identity(n, n);
    llt.solveInPlace(p);
    // B_ij = -P_ij / P_jj; written row-major over the (no longer needed) factor.
    Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> b(model.weights.data(),
                                                                                        n, n);
    const Eigen::VectorXf inv_diag = p.diagonal().cwiseInverse();
    b.noalias() = -(p * inv_diag.asDiagonal());
    b.diagonal().setZero();
  }
  return model;
}

void EaseModel::Score(std::span<const Interaction> history, std::span<float> scores) const {
  std::fill(scores.begin(), scores.end(), 0.0f);
  const auto n = static_cast<std::size_t>(items);
  for (const auto& cell : history) {
    if (cell.item < 0 || cell.item >= items || cell.preference == 0.0f) continue;
    const float* row = weights.data() + static_cast<std::size_t>(cell.item) * n;
    for (std::size_t j = 0; j < n; ++j)
      scores[j] += cell.preference * row[j];
  }
}

}  // namespace cinerec::ml
