#include "ml/metrics.h"

#include <algorithm>
#include <cmath>

namespace cinerec::ml {

RankingMetrics ComputeRankingMetrics(std::span<const std::int32_t> ranked,
                                     std::span<const std::int32_t> relevant, int k) {
  RankingMetrics m;
  if (relevant.empty() || k <= 0) return m;
  const std::size_t depth = std::min(ranked.size(), static_cast<std::size_t>(k));
  double hits = 0, dcg = 0, precision_sum = 0;
  for (std::size_t r = 0; r < depth; ++r) {
    if (!std::binary_search(relevant.begin(), relevant.end(), ranked[r])) continue;
    hits += 1;
    dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    precision_sum += hits / static_cast<double>(r + 1);
  }
  const std::size_t ideal = std::min(relevant.size(), static_cast<std::size_t>(k));
  double idcg = 0;
  for (std::size_t r = 0; r < ideal; ++r)
    idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  m.precision = hits / k;
  m.recall = hits / static_cast<double>(relevant.size());
  m.ndcg = dcg / idcg;
  m.average_precision = precision_sum / static_cast<double>(ideal);
  m.hit = hits > 0 ? 1.0 : 0.0;
  return m;
}

}  // namespace cinerec::ml
