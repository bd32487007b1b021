#include "ml/neighbors.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ml/parallel.h"
#include "ml/top_k.h"

namespace cinerec::ml {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Items per block of the similarity product: a 256 x items block of floats stays small (27 MB at 27k).
constexpr std::int64_t kBlock = 256;

Neighbors Empty(std::int32_t items, int k) {
  if (k < 0) throw std::invalid_argument("neighbours: k must be >= 0");
  Neighbors out;
  out.items = items;
  out.k = k;
  out.ids.assign(static_cast<std::size_t>(items) * static_cast<std::size_t>(k), -1);
  out.scores.assign(out.ids.size(), 0.0f);
  return out;
}

// Picks item i's top k from a full row of similarities where `ineligible` entries are NaN.
void StoreTop(Neighbors& out, std::int32_t item, std::span<const float> sims) {
  const std::vector<std::int32_t> top = TopK(sims, out.k);
  const auto base = static_cast<std::size_t>(item) * static_cast<std::size_t>(out.k);
  std::size_t slot = 0;
  for (std::int32_t j : top) {
    if (std::isnan(sims[static_cast<std::size_t>(j)])) break;  // NaN ranks last: the rest are ineligible
    out.ids[base + slot] = j;
    out.scores[base + slot] = sims[static_cast<std::size_t>(j)];
    ++slot;
  }
}

}  // namespace

Neighbors CosineNeighbors(std::span<const float> vectors, std::int32_t items, int dim, int k, int threads) {
  if (vectors.size() != static_cast<std::size_t>(items) * static_cast<std::size_t>(dim))
    throw std::invalid_argument("neighbours: vectors size is not items x dim");
  Neighbors out = Empty(items, k);
  if (items == 0 || k == 0) return out;
  RowMajor unit = Eigen::Map<const RowMajor>(vectors.data(), items, dim);
  std::vector<bool> zero(static_cast<std::size_t>(items), false);
  for (std::int32_t i = 0; i < items; ++i) {
    const float norm = unit.row(i).norm();
    if (norm > 0.0f) {
      unit.row(i) /= norm;
    } else {
      zero[static_cast<std::size_t>(i)] = true;
    }
  }
  ParallelFor(items, kBlock, threads, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    const auto rows = static_cast<Eigen::Index>(end - begin);
    RowMajor sims = unit.middleRows(static_cast<Eigen::Index>(begin), rows) * unit.transpose();
    const float nan = std::nanf("");
    for (std::int32_t j = 0; j < items; ++j) {
      if (zero[static_cast<std::size_t>(j)]) sims.col(j).setConstant(nan);
    }
    for (Eigen::Index r = 0; r < rows; ++r) {
      const auto i = static_cast<std::int32_t>(begin + r);
      if (zero[static_cast<std::size_t>(i)]) continue;
      sims(r, i) = nan;
      StoreTop(out, i, {sims.row(r).data(), static_cast<std::size_t>(items)});
    }
  });
  return out;
}

Neighbors CooccurrenceNeighbors(const InteractionMatrix& matrix, int k, const CooccurrenceOptions& options) {
  const std::int32_t n = matrix.items();
  Neighbors out = Empty(n, k);
  if (n == 0 || k == 0) return out;
  const CsrMatrix& users = matrix.by_user();
  const CsrMatrix& items = matrix.by_item();
  auto positive = [&](const CsrMatrix& m, std::int64_t at) {
    return m.preference[static_cast<std::size_t>(at)] >= options.min_preference;
  };
  std::vector<float> counts(static_cast<std::size_t>(n), 0.0f);
  for (std::int32_t i = 0; i < n; ++i) {
    for (std::int64_t a = items.RowBegin(i); a < items.RowEnd(i); ++a)
      counts[static_cast<std::size_t>(i)] += positive(items, a) ? 1.0f : 0.0f;
  }
  // One item at a time: co-counts of item i with every item, from the rows of i's users (cost
  // sum_u |u|^2). Each thread reuses its own dense row.
  ParallelFor(n, 64, options.threads, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    std::vector<float> co(static_cast<std::size_t>(n), 0.0f);
    std::vector<float> sims(static_cast<std::size_t>(n));
    for (auto i = static_cast<std::int32_t>(begin); i < end; ++i) {
      std::fill(co.begin(), co.end(), 0.0f);
      for (std::int64_t a = items.RowBegin(i); a < items.RowEnd(i); ++a) {
        if (!positive(items, a)) continue;
        const std::int32_t u = items.columns[static_cast<std::size_t>(a)];
        for (std::int64_t b = users.RowBegin(u); b < users.RowEnd(u); ++b) {
          if (positive(users, b))
            co[static_cast<std::size_t>(users.columns[static_cast<std::size_t>(b)])] += 1.0f;
        }
      }
      const float n_i = counts[static_cast<std::size_t>(i)];
      for (std::int32_t j = 0; j < n; ++j) {
        const float c = co[static_cast<std::size_t>(j)];
        sims[static_cast<std::size_t>(j)] =
            (j == i || c < static_cast<float>(std::max(options.min_support, 1)))
                ? std::nanf("")
                : c / (std::sqrt(n_i * counts[static_cast<std::size_t>(j)]) + options.shrinkage);
      }
      StoreTop(out, i, sims);
    }
  });
  return out;
}

}  // namespace cinerec::ml
