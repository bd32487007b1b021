#pragma once
// The hybrid model as the serving side uses it: everything one trained version knows, loaded from its
// model-store bundle, scoring the whole catalogue for a viewer with the blend learned at training time
// (docs/training.md, "The blend"). Five components, each scaled per viewer to a maximum |value| of 1 over
// the catalogue so that the learned weights compare like with like:
//
//   als      x . y_i                     x = the ALS fold-in of the viewer's current history (a like or a
//                                        finished movie counts at once, without a retrain)
//   item     sum_{j in history} p_j S_ji  S = sparse item-item weights (top-K per movie of EASE, or of
//                                        co-occurrence on catalogues too big for EASE)
//   popularity  log1p(pop_i)            time-decayed popularity
//   genre    pop_i sum_{g in genres(i)} a_g / pop_g   popularity within the viewer's genres: a = their
//                                        genre affinities (smoothed history shares, or their onboarding
//                                        genres), pop_g = the popularity of genre g
//   content  z . c_i                     c_i = f_i W, the content model's factor-space vector of movie i
//                                        (ml/content_model.h); z = the mean c_j of the viewer's positive
//                                        history
//
//   score_i = sum over components of weight * component_i
//
// A viewer with no usable history but onboarding genres gets x = z = f(genres) W and a = the genres; a
// viewer with neither gets popularity alone. Movies added after training are scored through their content
// (c_i stands in for y_i; no item or popularity part).
//
// Serving precision: the als and content components are scored in one pass over an int8 copy of the item
// factors and content vectors with a scale per row (ml/quantized_factors.h), built at construction; the
// fold-in, the viewer's content profile and the bundle stay float. ScoreViewer and ComponentScores (and so
// the training-time evaluation and blend search) use the same scoring, so what training measures is what
// serving does.
//
// Immutable after loading; every method is safe to call from many threads at once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ml/content_model.h"
#include "ml/id_map.h"
#include "ml/interaction.h"
#include "ml/quantized_factors.h"
#include "ml/recommender.h"

namespace cinerec::modelstore {
class ModelBundle;
}

namespace cinerec::ml {

// A movie's content, as the content model reads it.
struct MovieContent {
  std::vector<std::string> genres;
  std::string text;  // title and description
  int year = 0;      // 0 = unknown
};

// What the serving side knows about a viewer when it asks for scores.
struct ViewerProfile {
  std::int64_t user_id = 0;
  // The viewer's combined cells (item rows of THIS model; ml/interaction_matrix.h semantics: preference
  // 1 = liked / finished, 0 = disliked / abandoned, confidence > 0). Cells of movies outside the model are
  // the caller's to drop.
  std::vector<Interaction> history;
  std::vector<std::string> onboarding_genres;  // used only when the history gives no taste
};

// Which knowledge produced the scores (also the impression's `source`).
enum class ScoreSource {
  kPersonal,    // a viewer the model was trained on, taste from their current history
  kFoldIn,      // a viewer unseen at training, taste folded in from their history
  kContent,     // no history: onboarding genres through the content model
  kPopularity,  // nothing known: popularity alone
};
const char* ToString(ScoreSource source);  // "personal", "fold_in", "content", "popular"

struct BlendWeights {
  float als = 1.0f;
  float item = 0.0f;
  float popularity = 0.0f;
  float genre = 0.0f;
  float content = 0.0f;
};

// A movie that is not in the model (added after training), prepared once from its content
// (HybridModel::PrepareOutsideMovie) and then scored with every viewer.
struct OutsideMovie {
  std::vector<float> vector;         // c = f W (factors floats; zeros without a content model)
  std::vector<std::int32_t> genres;  // indices into the model's genre vocabulary
};

class HybridModel final : public Recommender {
 public:
  // Validates every artefact's presence, shape and values (ids unique, neighbour ids in range, finite
  // floats); throws modelstore::ModelStoreError naming the version and the problem. Optional parts
  // (content model, item weights) may be absent in older bundles: their weights are then 0.
  static std::shared_ptr<const HybridModel> FromBundle(const modelstore::ModelBundle& bundle);

  const std::string& version() const { return version_; }
  const IdMap& user_ids() const { return users_; }
  const IdMap& item_ids() const { return items_; }
  int factors() const { return factors_; }
  const BlendWeights& weights() const { return weights_; }
  bool has_content() const { return featurizer_ != nullptr; }

  // Recommender (the evaluator's view): `user` is ignored, the taste comes from `history`.
  std::string name() const override { return "hybrid"; }
  std::int32_t items() const override { return items_.size(); }
  void Score(std::int32_t user, std::span<const Interaction> history, std::span<float> scores) const override;

  // Scores every item of the model for a viewer (REQUIRES: scores.size() == items()), and optionally
  // movies outside the model on the same scale (REQUIRES: extra_scores.size() == extra.size()); returns
  // what the scores came from. Seen items are NOT removed: filtering is the caller's.
  ScoreSource ScoreViewer(const ViewerProfile& viewer, std::span<float> scores,
                          std::span<const OutsideMovie> extra = {}, std::span<float> extra_scores = {}) const;
  OutsideMovie PrepareOutsideMovie(const MovieContent& movie) const;

  // The five components separately, each scaled to max |value| 1, whatever the weights (for learning the
  // weights): out[c * items() + i] for c in BlendWeights order (als, item, popularity, genre, content).
  static constexpr int kComponents = 5;
  ScoreSource ComponentScores(const ViewerProfile& viewer, std::span<float> out) const;

  // Top-K similar movies of an item row, best first (-1 padded), and their similarity.
  std::span<const std::int32_t> NeighborIds(std::int32_t item) const;
  std::span<const float> NeighborScores(std::int32_t item) const;
  std::span<const float> ItemVector(std::int32_t item) const;
  std::span<const float> popularity() const { return popularity_; }
  // The genres of each item row as the model saw them at training (for "popular in Drama" reasons).
  std::span<const std::string> Genres(std::int32_t item) const;
  const std::vector<std::string>& genre_vocabulary() const { return genre_names_; }

  std::size_t MemoryBytes() const;

  // Everything a model is made of (training builds it, hybrid_model_bundle.cpp loads and stores it).
  struct Parts;
  explicit HybridModel(Parts parts);
  ~HybridModel() override;

 private:
  struct ViewerState;  // the per-request taste, affinities and scales (hybrid_model.cpp)
  struct FactorParts;  // where FactorComponents writes (hybrid_model.cpp)
  ScoreSource Prepare(const ViewerProfile& viewer, ViewerState& state) const;
  // The als (0) and content (4) components unscaled, both in one pass over the quantized rows; a part
  // with empty spans is skipped. Returns which of the two were computed.
  std::pair<bool, bool> FactorComponents(const ViewerState& state, std::span<const OutsideMovie> extra,
                                         const FactorParts& out) const;
  // The viewer's sum over each distinct genre list (sum_{g in list} a_g / pop_g), one per genre_lists_.
  std::vector<float> GenreListSums(const ViewerState& state) const;
  std::vector<float> GenreRatios(const ViewerState& state) const;  // a_g / pop_g per genre
  // popularity * sum_{g in genres} ratio_g.
  float GenreScore(std::span<const std::int32_t> genres, float popularity,
                   std::span<const float> ratio) const;
  // Component c in {1, 2, 3} unscaled into part / extra_part (REQUIRES: zero-filled); false when it is empty.
  bool Component(int c, const ViewerState& state, std::span<const OutsideMovie> extra, std::span<float> part,
                 std::span<float> extra_part) const;

  std::string version_;
  IdMap users_, items_;
  int factors_ = 0;
  BlendWeights weights_;
  float regularization_ = 0.1f, alpha_ = 10.0f;  // of the ALS fold-in
  std::vector<float> item_factors_;              // items x factors
  std::vector<float> gram_;                      // Y^T Y of the fold-in (factors x factors)
  int neighbor_k_ = 0;
  std::vector<std::int32_t> neighbor_ids_;  // items x neighbor_k, -1 padded
  std::vector<float> neighbor_scores_;
  int item_k_ = 0;
  std::vector<std::int32_t> item_weight_ids_;  // items x item_k: row j lists the i of S_ji, -1 padded
  std::vector<float> item_weights_;
  std::vector<float> popularity_;
  std::vector<float> log_popularity_;    // log1p(pop) / max, computed at load
  std::vector<float> genre_popularity_;  // sum of pop over each genre's movies
  float median_popularity_ = 0;
  std::vector<std::string> genre_names_;                    // the genre vocabulary
  std::vector<std::vector<std::int32_t>> item_genres_;      // genre indices per item row
  std::vector<std::vector<std::string>> item_genre_names_;  // the same as strings
  // The genre component per viewer is pop_i * sum over the genre list of i, and lists repeat: each item
  // row points at its distinct genre list, so a viewer's sums are computed once per list, not per movie.
  std::vector<std::vector<std::int32_t>> genre_lists_;  // the distinct lists of item_genres_
  std::vector<std::int32_t> item_genre_list_;           // per item row, index into genre_lists_
  std::vector<float> genre_list_max_popularity_;        // per list, max of positive_popularity_
  std::vector<float> positive_popularity_;              // max(pop, 0) per item row
  float max_log_popularity_ = 0;                        // max of log_popularity_ (1, or 0 when all are 0)
  std::unique_ptr<ContentFeaturizer> featurizer_;       // null without a content model
  std::vector<float> content_weights_;                  // W: features x factors
  std::vector<float> content_vectors_;                  // c_i: items x factors
  QuantizedFactors serving_factors_;  // int8 y_i and c_i interleaved per row, what scoring reads
};

}  // namespace cinerec::ml
