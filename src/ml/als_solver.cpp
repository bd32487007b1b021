#include "ml/als_solver.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace cinerec::ml {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstVec = Eigen::Map<const Eigen::VectorXf>;

ConstVec FactorRow(const RowSystem& s, std::int32_t row) {
  return ConstVec(s.factors + static_cast<std::int64_t>(row) * s.k, s.k);
}
Eigen::Map<const RowMajor> GramOf(const RowSystem& s) {
  return {s.gram, s.k, s.k};
}

// c_i - 1 = alpha * w_i: only the confidence above the unobserved baseline needs a per-cell term.
float Extra(const RowSystem& s, const RowCells& row, std::size_t j) {
  return s.alpha * row.confidence[j];
}

}  // namespace

std::vector<float> Gram(const float* factors, std::int64_t n, int k) {
  std::vector<float> out(static_cast<std::size_t>(k) * static_cast<std::size_t>(k), 0.0f);
  if (n == 0 || k == 0) return out;
  Eigen::Map<const RowMajor> y(factors, n, k);
  Eigen::Map<RowMajor> g(out.data(), k, k);
  g.noalias() = y.transpose() * y;
  return out;
}

void SolveRowCg(const RowSystem& s, const RowCells& row, int steps, float* x_out) {
  Eigen::Map<Eigen::VectorXf> x(x_out, s.k);
  const auto gram = GramOf(s);
  // r = b - A x, built cell by cell: b and the per-cell part of A x share the dot product y.x.
  Eigen::VectorXf r = -(gram * x) - s.regularization * x;
  for (std::size_t j = 0; j < row.columns.size(); ++j) {
    const auto y = FactorRow(s, row.columns[j]);
    const float extra = Extra(s, row, j);
    r += ((1.0f + extra) * row.preference[j] - extra * y.dot(x)) * y;
  }
  Eigen::VectorXf p = r;
  Eigen::VectorXf ap(s.k);
  float rs_old = r.squaredNorm();
  for (int step = 0; step < steps && rs_old > 1e-20f; ++step) {
    ap.noalias() = gram * p;
    ap += s.regularization * p;
    for (std::size_t j = 0; j < row.columns.size(); ++j) {
      const auto y = FactorRow(s, row.columns[j]);
      ap += (Extra(s, row, j) * y.dot(p)) * y;
    }
    const float p_ap = p.dot(ap);
    if (!(p_ap > 0.0f)) break;  // A is positive definite; a non-positive curvature is rounding noise
    const float step_size = rs_old / p_ap;
    x += step_size * p;
    r -= step_size * ap;
    const float rs_new = r.squaredNorm();
    p = r + (rs_new / rs_old) * p;
    rs_old = rs_new;
  }
}

void SolveRowExact(const RowSystem& s, const RowCells& row, float* x_out) {
  RowMajor a = GramOf(s);
  a.diagonal().array() += s.regularization;
  Eigen::VectorXf b = Eigen::VectorXf::Zero(s.k);
  for (std::size_t j = 0; j < row.columns.size(); ++j) {
    const auto y = FactorRow(s, row.columns[j]);
    const float extra = Extra(s, row, j);
    a.noalias() += extra * (y * y.transpose());
    b += ((1.0f + extra) * row.preference[j]) * y;
  }
  Eigen::Map<Eigen::VectorXf>(x_out, s.k) = a.llt().solve(b);
}

double RowLoss(const RowSystem& s, const RowCells& row, const float* x_in) {
  ConstVec x(x_in, s.k);
  double loss = x.dot(GramOf(s) * x);
  for (std::size_t j = 0; j < row.columns.size(); ++j) {
    const double score = FactorRow(s, row.columns[j]).dot(x);
    const double c = 1.0 + static_cast<double>(Extra(s, row, j));
    const double err = row.preference[j] - score;
    loss += c * err * err - score * score;
  }
  return loss;
}

}  // namespace cinerec::ml
