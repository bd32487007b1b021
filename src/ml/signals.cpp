#include "ml/signals.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cinerec::ml {
namespace {

void CheckWeight(float value, const char* name) {
  if (!(value >= 0.0f && std::isfinite(value)))
    throw std::invalid_argument(std::string("signal weight ") + name + " must be finite and >= 0");
}
void CheckShare(float value, const char* name) {
  if (!(value >= 0.0f && value <= 1.0f))
    throw std::invalid_argument(std::string("signal weight ") + name + " must be in [0, 1]");
}

}  // namespace

void SignalWeights::Validate() const {
  CheckWeight(completed_confidence, "completed_confidence");
  CheckShare(completed_share, "completed_share");
  CheckShare(positive_share, "positive_share");
  if (positive_share > completed_share)
    throw std::invalid_argument("signal weight positive_share must not exceed completed_share");
  CheckWeight(partial_confidence, "partial_confidence");
  CheckWeight(abandoned_confidence, "abandoned_confidence");
  CheckWeight(like_confidence, "like_confidence");
  CheckWeight(dislike_confidence, "dislike_confidence");
  CheckWeight(rewatch_confidence, "rewatch_confidence");
}

std::optional<Interaction> ToInteraction(const SignalWeights& w, std::int32_t user, std::int32_t item,
                                         const Signal& signal) {
  float preference = 1.0f;
  float confidence = 0.0f;
  switch (signal.kind) {
    case SignalKind::kCompletedView:
      confidence = w.completed_confidence;
      break;
    case SignalKind::kPartialView: {
      const float share =
          std::isnan(signal.watched_share) ? 0.0f : std::clamp(signal.watched_share, 0.0f, 1.0f);
      if (share >= w.completed_share) {
        confidence = w.completed_confidence;
      } else if (share >= w.positive_share) {
        confidence = w.partial_confidence * share;
      } else {
        preference = 0.0f;
        confidence = w.abandoned_confidence;
      }
      break;
    }
    case SignalKind::kLike:
      confidence = w.like_confidence;
      break;
    case SignalKind::kDislike:
      preference = 0.0f;
      confidence = w.dislike_confidence;
      break;
    case SignalKind::kRewatch:
      confidence = w.rewatch_confidence;
      break;
  }
  if (confidence <= 0.0f) return std::nullopt;
  return Interaction{user, item, preference, confidence, signal.time_ms};
}

std::string_view SignalKindName(SignalKind kind) {
  switch (kind) {
    case SignalKind::kCompletedView:
      return "completed_view";
    case SignalKind::kPartialView:
      return "partial_view";
    case SignalKind::kLike:
      return "like";
    case SignalKind::kDislike:
      return "dislike";
    case SignalKind::kRewatch:
      return "rewatch";
  }
  return "unknown";
}

}  // namespace cinerec::ml
