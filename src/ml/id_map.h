#pragma once
// Database id <-> dense index (0..size-1), in order of first appearance. Models index users and movies
// densely; the id maps travel with the model to translate back.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cinerec::ml {

class IdMap {
 public:
  IdMap() = default;
  // From dense order: ids[i] gets index i. Throws std::invalid_argument on a duplicate id.
  explicit IdMap(std::vector<std::int64_t> ids);

  // The index of `id`, adding it at the end when new.
  std::int32_t Add(std::int64_t id);
  std::optional<std::int32_t> Find(std::int64_t id) const;
  // REQUIRES: 0 <= index < size().
  std::int64_t Id(std::int32_t index) const { return ids_[static_cast<std::size_t>(index)]; }
  std::int32_t size() const { return static_cast<std::int32_t>(ids_.size()); }
  const std::vector<std::int64_t>& ids() const { return ids_; }

 private:
  std::vector<std::int64_t> ids_;
  std::unordered_map<std::int64_t, std::int32_t> index_;
};

}  // namespace cinerec::ml
