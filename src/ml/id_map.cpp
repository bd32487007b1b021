#include "ml/id_map.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace cinerec::ml {

IdMap::IdMap(std::vector<std::int64_t> ids) {
  ids_.reserve(ids.size());
  index_.reserve(ids.size());
  for (std::int64_t id : ids) {
    if (index_.contains(id)) throw std::invalid_argument("IdMap: duplicate id " + std::to_string(id));
    Add(id);
  }
}

std::int32_t IdMap::Add(std::int64_t id) {
  auto [it, inserted] = index_.try_emplace(id, static_cast<std::int32_t>(ids_.size()));
  if (inserted) {
    if (ids_.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw std::length_error("IdMap: more than 2^31 - 1 ids");
    ids_.push_back(id);
  }
  return it->second;
}

std::optional<std::int32_t> IdMap::Find(std::int64_t id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace cinerec::ml
