#pragma once
// How what a viewer did becomes (preference, confidence) for training. Preference says which way the
// evidence points (1 liked, 0 did not); confidence says how strongly (ALS weighs a cell by
// c = 1 + alpha * confidence; an unobserved cell has preference 0 and c = 1).
//
// Defaults and why:
//   completed view  (share >= completed_share 0.9)   preference 1, confidence 1.0: the baseline positive.
//   partial view    (positive_share 0.25 <= share < completed_share)
//                                                    preference 1, confidence partial * share (1.0 * share):
//                   watching most of a movie is nearly as good as finishing it (credits, a late stop).
//   abandoned view  (share < positive_share)         preference 0, confidence 0.5: stopping early is weak
//                   negative evidence, stronger than "never seen" (c = 1) but weaker than a dislike.
//   like                                             preference 1, confidence 2.0: explicit, so stronger
//                                                    than watching.
//   dislike                                          preference 0, confidence 2.0: explicit negative; the
//                                                    model is pushed away from the movie twice as hard as
//                                                    from an unseen one (at alpha 1).
//   re-watch (each extra completed view)             preference 1, confidence 0.5: more of the same
//                                                    positive, with diminishing weight.
// Several signals of one (user, movie) combine as ml/interaction_matrix.h says: confidences add,
// preferences average weighted by confidence (so a dislike after a completed view gives preference 1/3 at
// confidence 3).
#include <cstdint>
#include <optional>
#include <string_view>

#include "ml/interaction.h"

namespace cinerec::ml {

enum class SignalKind { kCompletedView, kPartialView, kLike, kDislike, kRewatch };

struct Signal {
  SignalKind kind = SignalKind::kCompletedView;
  // Share of the movie watched, in [0, 1]; only kPartialView reads it.
  float watched_share = 1.0f;
  std::int64_t time_ms = 0;
};

struct SignalWeights {
  float completed_confidence = 1.0f;
  float completed_share = 0.9f;     // a partial view at or above this share counts as completed
  float positive_share = 0.25f;     // below it a partial view is abandoned
  float partial_confidence = 1.0f;  // times the watched share
  float abandoned_confidence = 0.5f;
  float like_confidence = 2.0f;
  float dislike_confidence = 2.0f;
  float rewatch_confidence = 0.5f;

  // Throws std::invalid_argument naming the first invalid field (negative or non-finite weights, shares
  // outside [0, 1], positive_share > completed_share).
  void Validate() const;
};

// The interaction one signal gives; nullopt when its weight is 0 (switched off). A watched share outside
// [0, 1] is clamped.
std::optional<Interaction> ToInteraction(const SignalWeights& weights, std::int32_t user, std::int32_t item,
                                         const Signal& signal);

std::string_view SignalKindName(SignalKind kind);

}  // namespace cinerec::ml
