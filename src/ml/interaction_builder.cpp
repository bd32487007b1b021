#include "ml/interaction_builder.h"

namespace cinerec::ml {

InteractionBuilder::InteractionBuilder(SignalWeights weights) : weights_(weights) {
  weights_.Validate();
}

bool InteractionBuilder::Add(std::int64_t user_id, std::int64_t movie_id, const Signal& signal) {
  // Map first with placeholder indices: a switched-off signal must not create ids.
  auto x = ToInteraction(weights_, 0, 0, signal);
  if (!x) return false;
  x->user = users_.Add(user_id);
  x->item = items_.Add(movie_id);
  interactions_.push_back(*x);
  return true;
}

InteractionMatrix InteractionBuilder::Build() const {
  return InteractionMatrix::Build(users_, items_, interactions_);
}

}  // namespace cinerec::ml
