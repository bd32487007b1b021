#pragma once
// What a HybridModel is made of, as plain arrays: training fills it (training/hybrid_fit.h), the bundle
// code stores and loads it (ml/hybrid_model_bundle.cpp), the HybridModel constructor checks it.
#include <cstdint>
#include <string>
#include <vector>

#include "ml/hybrid_model.h"
#include "ml/id_map.h"

namespace cinerec::ml {

struct HybridModel::Parts {
  std::string version;
  IdMap users, items;
  int factors = 0;
  std::vector<float> item_factors;  // items x factors (ALS)
  float regularization = 0.1f;      // ALS lambda and alpha, for the fold-in
  float alpha = 10.0f;
  int neighbor_k = 0;  // similar movies (ids -1 padded)
  std::vector<std::int32_t> neighbor_ids;
  std::vector<float> neighbor_scores;
  int item_k = 0;  // sparse item-item weights S: row j lists (i, S_ji)
  std::vector<std::int32_t> item_weight_ids;
  std::vector<float> item_weights;
  std::vector<float> popularity;
  std::vector<std::string> genre_names;
  std::vector<std::vector<std::int32_t>> item_genres;  // per item row, indices into genre_names
  // The content model (absent when content_weights is empty).
  int term_buckets = 0;
  std::vector<int> year_edges;
  std::vector<float> content_weights;  // features x factors
  std::vector<float> content_vectors;  // items x factors
  BlendWeights weights;
};

}  // namespace cinerec::ml
