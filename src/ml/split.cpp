#include "ml/split.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "ml/interaction_matrix.h"
#include "ml/random.h"

namespace cinerec::ml {
namespace {

std::int64_t HeldCount(std::int64_t cells, int last_n, double fraction, int min_train) {
  const auto wanted = last_n > 0
                          ? static_cast<std::int64_t>(last_n)
                          : static_cast<std::int64_t>(std::ceil(fraction * static_cast<double>(cells)));
  return std::clamp<std::int64_t>(wanted, 0, std::max<std::int64_t>(0, cells - std::max(min_train, 0)));
}

// Calls choose(user's cells) for each user (cells sorted by item); `choose` reorders them so that the
// held-out ones come first and returns how many. Then splits the interactions accordingly.
Split SplitCells(std::span<const Interaction> interactions,
                 const std::function<std::int64_t(std::span<Interaction>)>& choose) {
  std::vector<Interaction> cells = CombineDuplicates(interactions);  // sorted by user, then item
  std::vector<std::pair<std::int32_t, std::int32_t>> held;           // (user, item), sorted later
  Split split;
  for (std::size_t begin = 0; begin < cells.size();) {
    std::size_t end = begin;
    while (end < cells.size() && cells[end].user == cells[begin].user)
      ++end;
    std::span<Interaction> user_cells(cells.data() + begin, end - begin);
    const std::int64_t count = choose(user_cells);
    for (std::int64_t h = 0; h < count; ++h) {
      const Interaction& cell = user_cells[static_cast<std::size_t>(h)];
      split.test.push_back(cell);
      held.emplace_back(cell.user, cell.item);
    }
    begin = end;
  }
  std::sort(held.begin(), held.end());
  std::sort(split.test.begin(), split.test.end(), [](const Interaction& a, const Interaction& b) {
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  });
  for (const auto& x : interactions) {
    if (!std::binary_search(held.begin(), held.end(), std::pair{x.user, x.item})) split.train.push_back(x);
  }
  return split;
}

void CheckFraction(double fraction) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) throw std::invalid_argument("split fraction must be in [0, 1]");
}

}  // namespace

Split SplitByTime(std::span<const Interaction> interactions, const TimeSplitOptions& options) {
  CheckFraction(options.fraction);
  return SplitCells(interactions, [&](std::span<Interaction> cells) {
    // Latest first; the item index breaks ties so that equal times split the same way every run.
    std::sort(cells.begin(), cells.end(), [](const Interaction& a, const Interaction& b) {
      return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.item > b.item;
    });
    return HeldCount(static_cast<std::int64_t>(cells.size()), options.last_n, options.fraction,
                     options.min_train);
  });
}

Split SplitRandom(std::span<const Interaction> interactions, const RandomSplitOptions& options) {
  CheckFraction(options.fraction);
  return SplitCells(interactions, [&](std::span<Interaction> cells) {
    SplitMix64 rng(options.seed ^ (0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(cells[0].user) + 1)));
    Shuffle(cells, rng);
    return HeldCount(static_cast<std::int64_t>(cells.size()), 0, options.fraction, options.min_train);
  });
}

}  // namespace cinerec::ml
