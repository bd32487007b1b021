#pragma once
// What the evaluator (and later the blend and serving) asks of any model: scores over the whole catalogue
// for one user, so that ALS, EASE, popularity and the blend are measured the same way.
#include <cstdint>
#include <span>
#include <string>

#include "ml/interaction.h"

namespace cinerec::ml {

class Recommender {
 public:
  virtual ~Recommender() = default;

  virtual std::string name() const = 0;
  virtual std::int32_t items() const = 0;

  // Writes one score per item (higher = better) into `scores` (REQUIRES: size() == items()). `user` is the
  // user's row in the training matrix, or -1 for someone the model has not seen; `history` is their
  // combined cells (item index, preference, confidence; ml/interaction_matrix.h). Filtering already-seen
  // items is the caller's job. Thread-safe: the evaluator calls it from several threads at once.
  virtual void Score(std::int32_t user, std::span<const Interaction> history,
                     std::span<float> scores) const = 0;
};

}  // namespace cinerec::ml
