#pragma once
// Minimum counts: users and movies with too few cells (distinct (user, movie) pairs with any signal) are
// dropped before training, since neither ALS nor the evaluation can learn anything from them. Dropping a
// movie can push a user under the limit and the other way round, so the filter repeats until nothing
// changes (the k-core of the bipartite graph). Indices are re-packed in their old order, with the id maps.
#include <cstdint>

#include "ml/interaction_matrix.h"

namespace cinerec::training {

struct MinCounts {
  std::int64_t user = 1;   // --min-user-interactions
  std::int64_t movie = 1;  // --min-movie-interactions
};

struct FilterResult {
  ml::InteractionMatrix matrix;
  int rounds = 0;  // passes until stable (1 = nothing or everything removed in the first pass)
};

FilterResult FilterByMinCounts(const ml::InteractionMatrix& matrix, const MinCounts& min);

}  // namespace cinerec::training
