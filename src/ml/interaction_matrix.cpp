#include "ml/interaction_matrix.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace cinerec::ml {
namespace {

void Validate(const Interaction& x, std::int32_t users, std::int32_t items) {
  if (x.user < 0 || x.user >= users || x.item < 0 || x.item >= items)
    throw std::invalid_argument("interaction (" + std::to_string(x.user) + ", " + std::to_string(x.item)
                                + ") outside a " + std::to_string(users) + " x " + std::to_string(items)
                                + " matrix");
  if (!(x.preference >= 0.0f && x.preference <= 1.0f))
    throw std::invalid_argument("interaction preference outside [0, 1]");
  if (!(x.confidence >= 0.0f && std::isfinite(x.confidence)))
    throw std::invalid_argument("interaction confidence negative or not finite");
}

// Combines the interactions of one cell (the rule in the header), in the order they are added.
class CellAccumulator {
 public:
  void Add(const Interaction& x) {
    if (count_++ == 0) first_ = x;
    weight_ += x.confidence;
    weighted_pref_ += static_cast<double>(x.confidence) * x.preference;
    plain_pref_ += x.preference;
    first_.time_ms = std::max(first_.time_ms, x.time_ms);
  }
  Interaction Result() const {
    Interaction x = first_;
    const double pref = weight_ > 0 ? weighted_pref_ / weight_ : plain_pref_ / static_cast<double>(count_);
    x.preference = static_cast<float>(std::clamp(pref, 0.0, 1.0));
    x.confidence = static_cast<float>(weight_);
    return x;
  }

 private:
  Interaction first_;
  std::size_t count_ = 0;
  double weight_ = 0, weighted_pref_ = 0, plain_pref_ = 0;
};

// Counting sort by row, then a stable sort by column inside each row, so that duplicates are summed in
// input order: the same input always gives bit-identical cells.
CsrMatrix BuildCsr(std::int32_t rows, std::int32_t cols, std::span<const Interaction> xs) {
  std::vector<std::int64_t> starts(static_cast<std::size_t>(rows) + 1, 0);
  for (const auto& x : xs)
    ++starts[static_cast<std::size_t>(x.user) + 1];
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  std::vector<std::size_t> order(xs.size());
  {
    std::vector<std::int64_t> next(starts.begin(), starts.end() - 1);
    for (std::size_t k = 0; k < xs.size(); ++k)
      order[static_cast<std::size_t>(next[static_cast<std::size_t>(xs[k].user)]++)] = k;
  }

  CsrMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.offsets.assign(static_cast<std::size_t>(rows) + 1, 0);
  m.columns.reserve(xs.size());
  m.preference.reserve(xs.size());
  m.confidence.reserve(xs.size());
  m.time_ms.reserve(xs.size());
  for (std::int32_t r = 0; r < rows; ++r) {
    auto begin = order.begin() + starts[static_cast<std::size_t>(r)];
    auto end = order.begin() + starts[static_cast<std::size_t>(r) + 1];
    std::stable_sort(begin, end, [&](std::size_t a, std::size_t b) { return xs[a].item < xs[b].item; });
    for (auto it = begin; it != end;) {
      CellAccumulator cell;
      for (const std::int32_t item = xs[*it].item; it != end && xs[*it].item == item; ++it)
        cell.Add(xs[*it]);
      const Interaction x = cell.Result();
      m.columns.push_back(x.item);
      m.preference.push_back(x.preference);
      m.confidence.push_back(x.confidence);
      m.time_ms.push_back(x.time_ms);
    }
    m.offsets[static_cast<std::size_t>(r) + 1] = m.nnz();
  }
  return m;
}

}  // namespace

CsrMatrix CsrMatrix::Transposed() const {
  CsrMatrix t;
  t.rows = cols;
  t.cols = rows;
  t.offsets.assign(static_cast<std::size_t>(cols) + 1, 0);
  for (std::int32_t c : columns)
    ++t.offsets[static_cast<std::size_t>(c) + 1];
  std::partial_sum(t.offsets.begin(), t.offsets.end(), t.offsets.begin());
  const auto n = columns.size();
  t.columns.resize(n);
  t.preference.resize(n);
  t.confidence.resize(n);
  t.time_ms.resize(n);
  std::vector<std::int64_t> next(t.offsets.begin(), t.offsets.end() - 1);
  // Rows are visited in order, so each transposed row comes out sorted by column.
  for (std::int32_t r = 0; r < rows; ++r) {
    for (std::int64_t k = RowBegin(r); k < RowEnd(r); ++k) {
      const auto kk = static_cast<std::size_t>(k);
      const auto dst = static_cast<std::size_t>(next[static_cast<std::size_t>(columns[kk])]++);
      t.columns[dst] = r;
      t.preference[dst] = preference[kk];
      t.confidence[dst] = confidence[kk];
      t.time_ms[dst] = time_ms[kk];
    }
  }
  return t;
}

InteractionMatrix InteractionMatrix::Build(IdMap users, IdMap items, std::span<const Interaction> xs) {
  for (const auto& x : xs)
    Validate(x, users.size(), items.size());
  InteractionMatrix m;
  m.by_user_ = BuildCsr(users.size(), items.size(), xs);
  m.by_item_ = m.by_user_.Transposed();
  m.user_ids_ = std::move(users);
  m.item_ids_ = std::move(items);
  return m;
}

InteractionMatrix InteractionMatrix::Build(std::int32_t users, std::int32_t items,
                                           std::span<const Interaction> xs) {
  auto identity = [](std::int32_t n) {
    std::vector<std::int64_t> ids(static_cast<std::size_t>(std::max(n, 0)));
    std::iota(ids.begin(), ids.end(), std::int64_t{0});
    return IdMap(std::move(ids));
  };
  return Build(identity(users), identity(items), xs);
}

std::vector<Interaction> CombineDuplicates(std::span<const Interaction> interactions) {
  std::vector<Interaction> sorted(interactions.begin(), interactions.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const Interaction& a, const Interaction& b) {
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  });
  std::vector<Interaction> cells;
  for (auto it = sorted.begin(); it != sorted.end();) {
    CellAccumulator cell;
    const std::int32_t user = it->user, item = it->item;
    for (; it != sorted.end() && it->user == user && it->item == item; ++it)
      cell.Add(*it);
    cells.push_back(cell.Result());
  }
  return cells;
}

std::vector<Interaction> InteractionMatrix::Cells() const {
  std::vector<Interaction> cells;
  cells.reserve(static_cast<std::size_t>(nnz()));
  for (std::int32_t u = 0; u < users(); ++u) {
    for (std::int64_t k = by_user_.RowBegin(u); k < by_user_.RowEnd(u); ++k) {
      const auto kk = static_cast<std::size_t>(k);
      cells.push_back(
          {u, by_user_.columns[kk], by_user_.preference[kk], by_user_.confidence[kk], by_user_.time_ms[kk]});
    }
  }
  return cells;
}

}  // namespace cinerec::ml
