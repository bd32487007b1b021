#include "recommend/serving_model.h"

#include <fmt/format.h>

#include <cmath>

#include "modelstore/errors.h"
#include "modelstore/model_bundle.h"

namespace cinerec::recommend {
namespace {

// Forwards to the hybrid model: the adapter owns it so that a swapped-out version is freed with its last
// request.
class HybridServingModel final : public ServingModel {
 public:
  explicit HybridServingModel(std::shared_ptr<const ml::HybridModel> model) : model_(std::move(model)) {}

  const std::string& version() const override { return model_->version(); }
  const ml::IdMap& item_ids() const override { return model_->item_ids(); }
  ml::ScoreSource ScoreViewer(const ml::ViewerProfile& viewer, std::span<float> scores,
                              std::span<const ml::OutsideMovie> extra,
                              std::span<float> extra_scores) const override {
    return model_->ScoreViewer(viewer, scores, extra, extra_scores);
  }
  ml::OutsideMovie PrepareOutsideMovie(const ml::MovieContent& movie) const override {
    return model_->PrepareOutsideMovie(movie);
  }
  std::span<const std::int32_t> NeighborIds(std::int32_t item) const override {
    return model_->NeighborIds(item);
  }
  std::span<const float> NeighborScores(std::int32_t item) const override {
    return model_->NeighborScores(item);
  }
  std::span<const float> popularity() const override { return model_->popularity(); }
  std::size_t MemoryBytes() const override { return model_->MemoryBytes(); }

 private:
  std::shared_ptr<const ml::HybridModel> model_;
};

}  // namespace

std::shared_ptr<const ServingModel> LoadServingModel(const modelstore::ModelBundle& bundle) {
  auto model = ml::HybridModel::FromBundle(bundle);
  // What serving relies on beyond the model's own checks: something to rank, and a usable fallback.
  if (model->items() == 0)
    throw modelstore::ModelStoreError(fmt::format("model {} has no movies: refused", bundle.version()));
  const auto popularity = model->popularity();
  if (popularity.size() != static_cast<std::size_t>(model->items()))
    throw modelstore::ModelStoreError(fmt::format("model {}: {} popularity scores for {} movies: refused",
                                                  bundle.version(), popularity.size(), model->items()));
  for (float p : popularity)
    if (!std::isfinite(p))
      throw modelstore::ModelStoreError(
          fmt::format("model {}: a popularity score is not finite: refused", bundle.version()));
  return WrapHybridModel(std::move(model));
}

std::shared_ptr<const ServingModel> WrapHybridModel(std::shared_ptr<const ml::HybridModel> model) {
  return std::make_shared<HybridServingModel>(std::move(model));
}

}  // namespace cinerec::recommend
