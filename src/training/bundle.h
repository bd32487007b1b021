#pragma once
// The artefacts of a trained model as a model-store bundle (modelstore/model_bundle.h, docs/model-store.md):
//   user_ids        int64 vector   database id of each user row
//   item_ids        int64 vector   database id of each movie row
//   user_factors    float32 matrix users x factors (ALS)
//   item_factors    float32 matrix movies x factors (ALS)
//   neighbor_ids    int32 matrix   movies x K, best first, -1 = no neighbour (cosine of item factors)
//   neighbor_scores float32 matrix movies x K
//   popularity      float32 vector one score per movie row (time-decayed)
// The manifest's data, parameters and metrics objects are the caller's to fill.
#include <span>

#include "ml/als.h"
#include "ml/interaction_matrix.h"
#include "ml/neighbors.h"
#include "modelstore/model_bundle.h"

namespace cinerec::training {

// REQUIRES: the model, neighbours and popularity were computed on `matrix` (same rows and columns).
void AddModelArtefacts(const ml::InteractionMatrix& matrix, const ml::AlsModel& als,
                       const ml::Neighbors& neighbors, std::span<const float> popularity,
                       modelstore::ModelBundle& bundle);

}  // namespace cinerec::training
