#include "ml/top_k.h"

#include <algorithm>
#include <cmath>

namespace cinerec::ml {

bool RanksBefore(float score_a, std::int32_t a, float score_b, std::int32_t b) {
  const bool nan_a = std::isnan(score_a), nan_b = std::isnan(score_b);
  if (nan_a != nan_b) return nan_b;
  if (!nan_a && score_a != score_b) return score_a > score_b;
  return a < b;
}

std::vector<std::int32_t> TopK(std::span<const float> scores, int k, std::span<const std::int32_t> excluded) {
  if (k <= 0) return {};
  // A heap of the best k so far with the worst on top: O(n log k), and no copy of the n candidates.
  auto worse_on_top = [&](std::int32_t a, std::int32_t b) {
    return RanksBefore(scores[static_cast<std::size_t>(a)], a, scores[static_cast<std::size_t>(b)], b);
  };
  std::vector<std::int32_t> heap;
  heap.reserve(static_cast<std::size_t>(k) + 1);
  auto next_excluded = excluded.begin();
  const auto n = static_cast<std::int32_t>(scores.size());
  for (std::int32_t i = 0; i < n; ++i) {
    while (next_excluded != excluded.end() && *next_excluded < i)
      ++next_excluded;
    if (next_excluded != excluded.end() && *next_excluded == i) continue;
    if (heap.size() < static_cast<std::size_t>(k)) {
      heap.push_back(i);
      std::push_heap(heap.begin(), heap.end(), worse_on_top);
    } else if (worse_on_top(i, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), worse_on_top);
      heap.back() = i;
      std::push_heap(heap.begin(), heap.end(), worse_on_top);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), worse_on_top);
  return heap;
}

}  // namespace cinerec::ml
