#pragma once
// The user x movie matrix that every model trains on, in both compressed orientations: by user (CSR,
// ALS's user step, EASE's Gram matrix) and by item (CSC stored as the CSR of the transpose, ALS's item
// step, co-occurrence neighbours).
//
// Duplicates: several interactions of one (user, item) pair (a view and a like, two views) become one
// cell whose confidence is the sum of their confidences and whose preference is their confidence-weighted
// mean (plain mean when every confidence is 0). Why: for a squared loss, sum_k w_k (p_k - s)^2 equals
// (sum_k w_k) (p_mean - s)^2 plus a constant, so the combined cell is exactly equivalent to the separate
// terms. The cell's time is the latest of its interactions.
#include <cstdint>
#include <span>
#include <vector>

#include "ml/id_map.h"
#include "ml/interaction.h"

namespace cinerec::ml {

// Compressed sparse rows: row r holds entries [offsets[r], offsets[r + 1]), sorted by column, each column
// once.
struct CsrMatrix {
  std::int32_t rows = 0;
  std::int32_t cols = 0;
  std::vector<std::int64_t> offsets;  // rows + 1 entries, offsets[0] = 0
  std::vector<std::int32_t> columns;
  std::vector<float> preference;
  std::vector<float> confidence;
  std::vector<std::int64_t> time_ms;

  std::int64_t nnz() const { return static_cast<std::int64_t>(columns.size()); }
  std::int64_t RowBegin(std::int32_t r) const { return offsets[static_cast<std::size_t>(r)]; }
  std::int64_t RowEnd(std::int32_t r) const { return offsets[static_cast<std::size_t>(r) + 1]; }
  std::int64_t RowSize(std::int32_t r) const { return RowEnd(r) - RowBegin(r); }
  std::span<const std::int32_t> RowColumns(std::int32_t r) const {
    return {columns.data() + RowBegin(r), static_cast<std::size_t>(RowSize(r))};
  }
  // The same cells by column (the CSR of the transpose).
  CsrMatrix Transposed() const;
};

class InteractionMatrix {
 public:
  InteractionMatrix() = default;
  // Combines duplicates (rule above) and builds both orientations. Throws std::invalid_argument when an
  // index is outside the maps, a preference is outside [0, 1] or a confidence is negative or not finite.
  static InteractionMatrix Build(IdMap users, IdMap items, std::span<const Interaction> interactions);
  // Identity id maps: database id i <-> index i.
  static InteractionMatrix Build(std::int32_t users, std::int32_t items,
                                 std::span<const Interaction> interactions);

  const CsrMatrix& by_user() const { return by_user_; }
  const CsrMatrix& by_item() const { return by_item_; }
  const IdMap& user_ids() const { return user_ids_; }
  const IdMap& item_ids() const { return item_ids_; }
  std::int32_t users() const { return by_user_.rows; }
  std::int32_t items() const { return by_user_.cols; }
  std::int64_t nnz() const { return by_user_.nnz(); }

  // The combined cells again, row by row (what a split or a rebuild needs).
  std::vector<Interaction> Cells() const;

 private:
  IdMap user_ids_, item_ids_;
  CsrMatrix by_user_, by_item_;
};

// The same rule on a plain list (a user's history at serving time): one interaction per (user, item),
// sorted by user then item. No validation.
std::vector<Interaction> CombineDuplicates(std::span<const Interaction> interactions);

}  // namespace cinerec::ml
