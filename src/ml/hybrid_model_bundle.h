#pragma once
// The hybrid model's artefacts in a model-store bundle (docs/model-store.md lists them). The writer is the
// trainer's, the reader HybridModel::FromBundle's.
#include "ml/hybrid_model.h"

namespace cinerec::modelstore {
class ModelBundle;
}

namespace cinerec::ml {

// Adds the serving artefacts of `parts` (everything but the user factors, which training adds) to `bundle`.
// Throws std::invalid_argument when the parts are inconsistent (checked by building the model first).
void AddHybridArtefacts(const HybridModel::Parts& parts, modelstore::ModelBundle& bundle);

}  // namespace cinerec::ml
