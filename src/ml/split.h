#pragma once
// Held-out splits for offline evaluation. Both work per user on cells (one per (user, item): the
// interactions of a pair stay on one side, so a like never leaks the view it belongs to), and leave at
// least `min_train` cells of each user in training. Indices are unchanged: train and test share the
// matrix's index space.
#include <cstdint>
#include <span>
#include <vector>

#include "ml/interaction.h"

namespace cinerec::ml {

struct Split {
  std::vector<Interaction> train;  // the original interactions of the training cells
  std::vector<Interaction> test;   // the held-out cells, combined (ml/interaction_matrix.h)
};

struct TimeSplitOptions {
  int last_n = 0;         // hold out each user's last n cells; 0 = use `fraction`
  double fraction = 0.2;  // hold out ceil(fraction x cells) of each user's latest cells
  int min_train = 1;
};
// By time: each user's latest cells (by the cell's latest time, then item index) are held out, as
// happens in production, where the model predicts what comes after its training data.
Split SplitByTime(std::span<const Interaction> interactions, const TimeSplitOptions& options);

struct RandomSplitOptions {
  double fraction = 0.2;  // hold out ceil(fraction x cells) of each user's cells, chosen at random
  int min_train = 1;
  std::uint64_t seed = 42;
};
// Random: the same seed gives the same split (each user's draw depends only on the seed and the user's
// index, not on the input order).
Split SplitRandom(std::span<const Interaction> interactions, const RandomSplitOptions& options);

}  // namespace cinerec::ml
