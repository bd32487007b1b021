#include "training/view_signals.h"

#include <algorithm>

namespace cinerec::training {

std::vector<ml::Signal> ViewSignals(std::span<const ViewRow> views, float completed_share) {
  std::vector<ml::Signal> signals;
  bool seen_complete = false;
  for (const ViewRow& view : views) {
    std::optional<float> share;
    if (view.duration_s && *view.duration_s > 0) {
      share =
          std::clamp(static_cast<float>(view.watched_s) / static_cast<float>(*view.duration_s), 0.0f, 1.0f);
    }
    const bool complete = view.completed || (share && *share >= completed_share);
    ml::Signal signal;
    signal.time_ms = view.time_ms;
    if (complete) {
      signal.kind = seen_complete ? ml::SignalKind::kRewatch : ml::SignalKind::kCompletedView;
      signal.watched_share = 1.0f;
      seen_complete = true;
    } else if (share) {
      signal.kind = ml::SignalKind::kPartialView;
      signal.watched_share = *share;
    } else {
      continue;
    }
    signals.push_back(signal);
  }
  return signals;
}

std::optional<ml::Signal> ReactionSignal(int value, std::int64_t time_ms) {
  if (value != 1 && value != -1) return std::nullopt;
  ml::Signal signal;
  signal.kind = value == 1 ? ml::SignalKind::kLike : ml::SignalKind::kDislike;
  signal.time_ms = time_ms;
  return signal;
}

}  // namespace cinerec::training
