#pragma once
// Learning the hybrid model's blend weights on a validation split instead of fixing them by hand.
//
// For a sample of validation users, every component's scores are computed once (HybridModel::
// ComponentScores) and reduced to candidates: the union of each component's top `candidates` movies the
// user has not seen. Any weighting then ranks only those candidates, so trying a weighting costs
// users x candidates x 5 instead of a pass over the catalogue. Coordinate ascent from the best single
// component: each weight in turn takes the grid value that maximises validation NDCG@k, until a pass
// changes nothing. Deterministic (sample seeded, ties keep the earlier weighting).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ml/hybrid_model.h"
#include "ml/interaction.h"
#include "ml/interaction_matrix.h"

namespace cinerec::ml {

struct BlendSearchOptions {
  int max_users = 3000;  // validation users sampled
  int candidates = 200;  // per component and user
  int k = 10;            // NDCG@k is the objective
  int max_passes = 4;
  std::vector<float> grid = {0.0f, 0.05f, 0.1f, 0.2f, 0.35f, 0.5f, 0.75f, 1.0f, 1.5f, 2.0f, 3.0f};
  float relevant_min_preference = 0.5f;  // as in ml/evaluate.h
  std::uint64_t seed = 42;
  int threads = 0;
};

struct BlendSearchResult {
  BlendWeights weights;
  double ndcg = 0;                               // of `weights` on the sampled validation users
  double single[HybridModel::kComponents] = {};  // each component alone
  std::int64_t users = 0;
  int passes = 0;
};

// `model` scores with any weights (its own are ignored); `train` is the matrix it was fitted on (histories),
// `validation` the held-out cells in the same index space.
BlendSearchResult LearnBlendWeights(const HybridModel& model, const InteractionMatrix& train,
                                    std::span<const Interaction> validation,
                                    const BlendSearchOptions& options = {});

std::string FormatBlend(const BlendSearchResult& result);

}  // namespace cinerec::ml
