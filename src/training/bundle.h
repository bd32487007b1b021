#pragma once
// The trained model as a model-store bundle (modelstore/model_bundle.h, docs/model-store.md): the hybrid
// model's serving artefacts (ml/hybrid_model_bundle.h: item ids and factors, neighbours, item weights,
// popularity, genres, content model, blend weights) plus, from here, what only offline tools read:
//   user_ids      int64 vector   database id of each user row
//   user_factors  float32 matrix users x factors (ALS; the user features export reads them)
// The manifest's data, parameters and metrics objects are the caller's to fill.
#include "ml/als.h"
#include "ml/interaction_matrix.h"
#include "modelstore/model_bundle.h"

namespace cinerec::training {

// REQUIRES: the model was fitted on `matrix` (same rows).
void AddUserArtefacts(const ml::InteractionMatrix& matrix, const ml::AlsModel& als,
                      modelstore::ModelBundle& bundle);

}  // namespace cinerec::training
