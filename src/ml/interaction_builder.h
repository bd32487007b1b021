#pragma once
// Collects signals keyed by database ids (what `train` reads from the stores) and turns them into an
// InteractionMatrix: ids are mapped to dense indices in order of first appearance, each signal through
// SignalWeights (ml/signals.h), duplicates combined by the matrix's rule.
#include <cstdint>
#include <vector>

#include "ml/id_map.h"
#include "ml/interaction_matrix.h"
#include "ml/signals.h"

namespace cinerec::ml {

class InteractionBuilder {
 public:
  // Throws std::invalid_argument when `weights` are invalid.
  explicit InteractionBuilder(SignalWeights weights);

  // Adds one signal; returns false when its weight is 0 (switched off: nothing recorded, ids not mapped).
  bool Add(std::int64_t user_id, std::int64_t movie_id, const Signal& signal);
  // Makes a movie known without a signal (a catalogue movie nobody watched yet still gets an index).
  std::int32_t AddMovie(std::int64_t movie_id) { return items_.Add(movie_id); }

  const SignalWeights& weights() const { return weights_; }
  std::size_t size() const { return interactions_.size(); }
  const std::vector<Interaction>& interactions() const { return interactions_; }
  const IdMap& users() const { return users_; }
  const IdMap& items() const { return items_; }

  // The matrix of everything added, with the id maps.
  InteractionMatrix Build() const;

 private:
  SignalWeights weights_;
  IdMap users_, items_;
  std::vector<Interaction> interactions_;
};

}  // namespace cinerec::ml
