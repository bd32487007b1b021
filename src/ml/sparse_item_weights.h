#pragma once
// Sparse item-item weights for the hybrid model's "item" component: row j keeps the K strongest weights
// S_ji from movie j to other movies i, so that scoring a history costs history x K instead of the dense
// catalogue x catalogue matrix EASE needs (60,000 movies would be 14 GB of floats; K = 200 keeps 96 MB).
#include <cstdint>
#include <vector>

#include "ml/ease.h"
#include "ml/neighbors.h"

namespace cinerec::ml {

struct SparseItemWeights {
  std::int32_t items = 0;
  int k = 0;
  std::vector<std::int32_t> ids;  // items x k, best first, -1 padded
  std::vector<float> weights;     // items x k, 0 where padded
};

// The K largest positive B_ji of each row j of an EASE model (ties to the lower index).
SparseItemWeights TopKEase(const EaseModel& ease, int k, int threads = 0);

// Neighbour lists as weights (e.g. co-occurrence cosine, for catalogues too large for EASE).
SparseItemWeights FromNeighbors(const Neighbors& neighbors);

}  // namespace cinerec::ml
