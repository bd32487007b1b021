#include "training/bundle.h"

#include <stdexcept>

namespace cinerec::training {

using modelstore::Artefact;

void AddModelArtefacts(const ml::InteractionMatrix& matrix, const ml::AlsModel& als,
                       const ml::Neighbors& neighbors, std::span<const float> popularity,
                       modelstore::ModelBundle& bundle) {
  if (als.users != matrix.users() || als.items != matrix.items() || neighbors.items != matrix.items()
      || popularity.size() != static_cast<std::size_t>(matrix.items()))
    throw std::invalid_argument("model artefacts of different sizes than the matrix");
  const auto users = static_cast<std::uint64_t>(als.users);
  const auto items = static_cast<std::uint64_t>(als.items);
  const auto factors = static_cast<std::uint64_t>(als.factors);
  const auto k = static_cast<std::uint64_t>(neighbors.k);
  bundle.Add(Artefact::Vector<std::int64_t>("user_ids", matrix.user_ids().ids()));
  bundle.Add(Artefact::Vector<std::int64_t>("item_ids", matrix.item_ids().ids()));
  bundle.Add(Artefact::Matrix<float>("user_factors", users, factors, als.user_factors));
  bundle.Add(Artefact::Matrix<float>("item_factors", items, factors, als.item_factors));
  bundle.Add(Artefact::Matrix<std::int32_t>("neighbor_ids", items, k, neighbors.ids));
  bundle.Add(Artefact::Matrix<float>("neighbor_scores", items, k, neighbors.scores));
  bundle.Add(Artefact::Vector<float>("popularity", popularity));
}

}  // namespace cinerec::training
