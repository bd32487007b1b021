#pragma once
// Top-k ranking metrics for one user, binary relevance. With `ranked` the recommended list (best first,
// only its first k entries count), R the relevant (held-out) items, hit_r = 1 when the item at rank r
// (1-based) is in R:
//
//   precision@k = hits / k
//   recall@k    = hits / |R|
//   NDCG@k      = DCG / IDCG,  DCG = sum_{r<=k} hit_r / log2(r + 1),  IDCG = sum_{r<=min(|R|,k)} 1 / log2(r +
//   1) AP@k        = (1 / min(|R|, k)) sum_{r<=k} hit_r * precision@r        (MAP@k = mean over users) hit
//   rate@k  = 1 when hits > 0
//
// hits = |top k ∩ R|. A list shorter than k still divides precision by k (an empty slot is a miss).
// Every metric is 0 when R is empty; the evaluator skips such users.
#include <cstdint>
#include <span>

namespace cinerec::ml {

struct RankingMetrics {
  double precision = 0;
  double recall = 0;
  double ndcg = 0;
  double average_precision = 0;
  double hit = 0;
};

// REQUIRES: relevant sorted ascending, without duplicates.
RankingMetrics ComputeRankingMetrics(std::span<const std::int32_t> ranked,
                                     std::span<const std::int32_t> relevant, int k);

}  // namespace cinerec::ml
