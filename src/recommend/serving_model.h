#pragma once
// ServingModel: what the recommendation service needs from a trained model version, as an interface so
// that the serving logic is tested with small hand-made models (recommend_test_support.h) and runs on the
// hybrid model in production (LoadServingModel). The contract is ml::HybridModel's (ml/hybrid_model.h):
// immutable after construction, every method safe to call from many threads at once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ml/hybrid_model.h"

namespace cinerec::modelstore {
class ModelBundle;
}

namespace cinerec::recommend {

class ServingModel {
 public:
  virtual ~ServingModel() = default;

  virtual const std::string& version() const = 0;
  // Database movie id <-> item row.
  virtual const ml::IdMap& item_ids() const = 0;
  std::int32_t items() const { return item_ids().size(); }

  // Scores every item row (REQUIRES: scores.size() == items()) and the movies outside the model in `extra`
  // on the same scale (REQUIRES: extra_scores.size() == extra.size()); seen items are not removed.
  virtual ml::ScoreSource ScoreViewer(const ml::ViewerProfile& viewer, std::span<float> scores,
                                      std::span<const ml::OutsideMovie> extra,
                                      std::span<float> extra_scores) const = 0;
  // What ScoreViewer needs of a movie added after training (its content vector and genres).
  virtual ml::OutsideMovie PrepareOutsideMovie(const ml::MovieContent& movie) const = 0;
  // Top-K similar item rows of an item row, best first, -1 padded; their similarity.
  virtual std::span<const std::int32_t> NeighborIds(std::int32_t item) const = 0;
  virtual std::span<const float> NeighborScores(std::int32_t item) const = 0;
  // One popularity score per item row.
  virtual std::span<const float> popularity() const = 0;
  virtual std::size_t MemoryBytes() const = 0;
};

// The hybrid model of a bundle (ml::HybridModel::FromBundle). Throws modelstore::ModelStoreError when the
// bundle fails the model's checks, and when it fails the serving side's sanity checks (no items, no
// popularity, non-finite popularity).
std::shared_ptr<const ServingModel> LoadServingModel(const modelstore::ModelBundle& bundle);

// A hybrid model as a ServingModel, without the serving side's sanity checks (for benchmarks and tools that
// build the model themselves).
std::shared_ptr<const ServingModel> WrapHybridModel(std::shared_ptr<const ml::HybridModel> model);

}  // namespace cinerec::recommend
