#pragma once
// How the rows of the `views` and `reactions` tables become training signals (ml/signals.h). Pure: the
// PostgreSQL reader (training/pg_interaction_reader.h) feeds it, the unit tests call it directly.
//
// Views of one (user, movie), in time order:
//   - a view is complete when `completed` is set or watched_s / duration_s >= completed_share;
//   - the first complete view is kCompletedView, each later complete view kRewatch (a re-watch);
//   - an incomplete view is kPartialView with share = watched_s / duration_s (clamped to [0, 1]);
//     an incomplete view of a movie without a known duration gives nothing (its share is unknown).
// Reactions: +1 kLike, -1 kDislike, 0 (cleared, a tombstone) nothing.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ml/signals.h"

namespace cinerec::training {

struct ViewRow {
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;
  std::int64_t watched_s = 0;
  bool completed = false;
  std::optional<std::int64_t> duration_s;  // the movie's; nullopt or <= 0 = unknown
  std::int64_t time_ms = 0;                // last_event_at
};

// The signals of one (user, movie)'s views. REQUIRES: every row has the same user and movie, in time order.
std::vector<ml::Signal> ViewSignals(std::span<const ViewRow> views, float completed_share);

// nullopt for a cleared reaction (0) or any other value.
std::optional<ml::Signal> ReactionSignal(int value, std::int64_t time_ms);

}  // namespace cinerec::training
