#pragma once
// From a viewer's history (viewer_history.h) to what scoring needs: the model's ViewerProfile (combined
// cells on the model's item rows, with the training side's signal mapping: training/view_signals.h,
// ml/signals.h), the movies the rules exclude for good, and the movies that can explain a recommendation.
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "ml/hybrid_model.h"
#include "ml/signals.h"
#include "recommend/viewer_history.h"

namespace cinerec::recommend {

struct ViewerFacts {
  ml::ViewerProfile profile;
  // Finished (a complete view), liked or disliked: never recommended again.
  std::unordered_set<std::int64_t> excluded;
  // Movies the viewer finished or liked and did not dislike, most recent first (database ids): the
  // "because you watched X" anchors.
  std::vector<std::int64_t> positives;
};

// `items`: the model's id map (empty when there is no model: the profile then has no cells).
ViewerFacts BuildViewerFacts(std::int64_t user_id, const ViewerHistory& history, const ml::IdMap* items,
                             const ml::SignalWeights& weights);

}  // namespace cinerec::recommend
