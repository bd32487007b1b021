#include "training/min_counts.h"

#include <vector>

namespace cinerec::training {

FilterResult FilterByMinCounts(const ml::InteractionMatrix& matrix, const MinCounts& min) {
  const auto& by_user = matrix.by_user();
  std::vector<char> keep_user(static_cast<std::size_t>(matrix.users()), 1);
  std::vector<char> keep_item(static_cast<std::size_t>(matrix.items()), 1);
  FilterResult result;
  for (bool changed = true; changed;) {
    changed = false;
    ++result.rounds;
    std::vector<std::int64_t> user_count(keep_user.size(), 0), item_count(keep_item.size(), 0);
    for (std::int32_t u = 0; u < matrix.users(); ++u) {
      if (!keep_user[static_cast<std::size_t>(u)]) continue;
      for (std::int32_t i : by_user.RowColumns(u)) {
        if (!keep_item[static_cast<std::size_t>(i)]) continue;
        ++user_count[static_cast<std::size_t>(u)];
        ++item_count[static_cast<std::size_t>(i)];
      }
    }
    for (std::size_t u = 0; u < keep_user.size(); ++u) {
      if (keep_user[u] && user_count[u] < min.user) keep_user[u] = 0, changed = true;
    }
    for (std::size_t i = 0; i < keep_item.size(); ++i) {
      if (keep_item[i] && item_count[i] < min.movie) keep_item[i] = 0, changed = true;
    }
  }
  // Re-pack the kept indices in their old order.
  std::vector<std::int32_t> user_index(keep_user.size(), -1), item_index(keep_item.size(), -1);
  ml::IdMap users, items;
  for (std::int32_t u = 0; u < matrix.users(); ++u) {
    if (keep_user[static_cast<std::size_t>(u)])
      user_index[static_cast<std::size_t>(u)] = users.Add(matrix.user_ids().Id(u));
  }
  for (std::int32_t i = 0; i < matrix.items(); ++i) {
    if (keep_item[static_cast<std::size_t>(i)])
      item_index[static_cast<std::size_t>(i)] = items.Add(matrix.item_ids().Id(i));
  }
  std::vector<ml::Interaction> cells;
  for (ml::Interaction cell : matrix.Cells()) {
    cell.user = user_index[static_cast<std::size_t>(cell.user)];
    cell.item = item_index[static_cast<std::size_t>(cell.item)];
    if (cell.user >= 0 && cell.item >= 0) cells.push_back(cell);
  }
  result.matrix = ml::InteractionMatrix::Build(std::move(users), std::move(items), cells);
  return result;
}

}  // namespace cinerec::training
