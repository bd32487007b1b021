#include "training/bundle.h"

#include <stdexcept>

namespace cinerec::training {

void AddUserArtefacts(const ml::InteractionMatrix& matrix, const ml::AlsModel& als,
                      modelstore::ModelBundle& bundle) {
  if (als.users != matrix.users())
    throw std::invalid_argument("user factors of a different size than the matrix");
  bundle.Add(modelstore::Artefact::Vector<std::int64_t>("user_ids", matrix.user_ids().ids()));
  bundle.Add(modelstore::Artefact::Matrix<float>("user_factors", static_cast<std::uint64_t>(als.users),
                                                 static_cast<std::uint64_t>(als.factors), als.user_factors));
}

}  // namespace cinerec::training
