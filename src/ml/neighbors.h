#pragma once
// Top-K similar movies per movie, for "similar movies" and for explanations ("because you watched X").
// Two sources: cosine between ALS item factors (captures taste even between movies rarely watched by the
// same people), and cosine between co-occurrence columns (directly explainable: "people who watched X
// also watched Y"). Ties go to the lower item index (ml/top_k.h), so lists are deterministic.
#include <cstdint>
#include <span>
#include <vector>

#include "ml/interaction_matrix.h"

namespace cinerec::ml {

struct Neighbors {
  std::int32_t items = 0;
  int k = 0;
  // items x k, row-major, best first; a row with fewer than k neighbours is padded with id -1, score 0.
  std::vector<std::int32_t> ids;
  std::vector<float> scores;

  std::span<const std::int32_t> Ids(std::int32_t item) const { return Row(ids, item); }
  std::span<const float> Scores(std::int32_t item) const { return Row(scores, item); }

 private:
  template <typename T>
  std::span<const T> Row(const std::vector<T>& v, std::int32_t item) const {
    return {v.data() + static_cast<std::size_t>(item) * static_cast<std::size_t>(k),
            static_cast<std::size_t>(k)};
  }
};

// Cosine similarity between rows of a row-major items x dim matrix; an item is never its own neighbour,
// and a zero vector has no neighbours (and is nobody's).
Neighbors CosineNeighbors(std::span<const float> vectors, std::int32_t items, int dim, int k,
                          int threads = 0);

struct CooccurrenceOptions {
  float min_preference = 0.5f;  // a cell counts when its combined preference is at least this
  // sim(i, j) = co(i, j) / (sqrt(n_i n_j) + shrinkage): shrinkage damps pairs seen by few users.
  float shrinkage = 0.0f;
  int min_support = 1;  // pairs with fewer common users are left out
  int threads = 0;
};

// Cosine between the binary item columns (co(i, j) = users positive on both).
Neighbors CooccurrenceNeighbors(const InteractionMatrix& matrix, int k,
                                const CooccurrenceOptions& options = {});

}  // namespace cinerec::ml
