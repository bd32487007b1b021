#include "ml/sparse_item_weights.h"

#include <span>
#include <stdexcept>

#include "ml/parallel.h"
#include "ml/top_k.h"

namespace cinerec::ml {

SparseItemWeights TopKEase(const EaseModel& ease, int k, int threads) {
  if (k < 1) throw std::invalid_argument("TopKEase: k must be >= 1");
  SparseItemWeights out;
  out.items = ease.items;
  out.k = k;
  const auto n = static_cast<std::size_t>(ease.items);
  const auto kk = static_cast<std::size_t>(k);
  out.ids.assign(n * kk, -1);
  out.weights.assign(n * kk, 0.0f);
  ParallelFor(ease.items, 64, threads, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t j = begin; j < end; ++j) {
      const std::span<const float> row(ease.weights.data() + static_cast<std::size_t>(j) * n, n);
      const std::int32_t self = static_cast<std::int32_t>(j);
      const auto best = TopK(row, k, std::span<const std::int32_t>(&self, 1));
      std::size_t slot = static_cast<std::size_t>(j) * kk;
      for (auto i : best) {
        const float w = row[static_cast<std::size_t>(i)];
        if (!(w > 0)) break;  // best first: the rest are not positive either
        out.ids[slot] = i;
        out.weights[slot] = w;
        ++slot;
      }
    }
  });
  return out;
}

SparseItemWeights FromNeighbors(const Neighbors& neighbors) {
  SparseItemWeights out;
  out.items = neighbors.items;
  out.k = neighbors.k;
  out.ids = neighbors.ids;
  out.weights = neighbors.scores;
  return out;
}

}  // namespace cinerec::ml
