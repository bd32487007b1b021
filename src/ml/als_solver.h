#pragma once
// The per-row solves of implicit ALS (Hu, Koren, Volinsky 2008), on plain row-major float arrays so that
// callers need no Eigen. For a row (a user, or an item in the item step) with observed cells i
// (preference p_i, confidence w_i, c_i = 1 + alpha * w_i) against the other side's factors Y (n x k):
//
//   A x = b,  A = YtY + lambda I + sum_i (c_i - 1) y_i y_i^T,   b = sum_i c_i p_i y_i
//
// which minimises sum_all c (p - x.y)^2 + lambda |x|^2 over that row (unobserved cells: p = 0, c = 1).
// YtY is precomputed once per half-iteration, so a row costs O(nnz k + k^2) per CG step instead of
// O(n k^2).
#include <cstdint>
#include <span>
#include <vector>

namespace cinerec::ml {

// One row's observed cells: parallel arrays of the same length.
struct RowCells {
  std::span<const std::int32_t> columns;
  std::span<const float> preference;
  std::span<const float> confidence;
};

struct RowSystem {
  const float* factors = nullptr;  // the other side, row-major n x k (columns index its rows)
  const float* gram = nullptr;     // YtY, k x k
  int k = 0;
  float regularization = 0.0f;  // lambda
  float alpha = 1.0f;
};

// Y^T Y of a row-major n x k matrix (k x k, row-major; symmetric).
std::vector<float> Gram(const float* factors, std::int64_t n, int k);

// `steps` conjugate-gradient steps on A x = b starting from x (warm start; Takacs, Pilaszy, Tikk 2011,
// "fast ALS"), in place. Each step lowers the row's loss, so a few steps from the previous iteration's x
// come close to the exact solve at a fraction of the cost. Stops early when the residual vanishes.
void SolveRowCg(const RowSystem& system, const RowCells& row, int steps, float* x);

// The exact solve by Cholesky (LLT) of A; O(nnz k^2 + k^3). For fold-in and for checking CG.
void SolveRowExact(const RowSystem& system, const RowCells& row, float* x);

// The row's share of the loss, without the regulariser: sum over observed cells of
// c (p - s)^2 - s^2, plus x^T YtY x (the unobserved cells' s^2, counted over every column), s = x.y.
double RowLoss(const RowSystem& system, const RowCells& row, const float* x);

}  // namespace cinerec::ml
