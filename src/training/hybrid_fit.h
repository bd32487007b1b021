#pragma once
// Training the hybrid model (ml/hybrid_model.h): every component fitted on a matrix, the blend weights
// learned on a validation split, and the evaluation of the blend beside its baselines on a held-out split.
//
//   EvaluateHybrid(train, test):
//     train -> fit + validation (each user's latest cells, like the test split)
//     [tune ALS: a grid over lambda and alpha (and half the factors) scored by validation NDCG@10]
//     components on fit (ALS stops early on validation) -> blend weights learned on validation
//     components on train (ALS for the best iteration count) with those weights -> evaluated on test,
//     beside popularity, the tuned ALS and EASE fitted on the same train.
//   FitComponents(all cells, no validation) then gives the published model.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <vector>

#include "ml/als.h"
#include "ml/blend.h"
#include "ml/content_model.h"
#include "ml/ease.h"
#include "ml/evaluate.h"
#include "ml/hybrid_parts.h"
#include "ml/interaction_matrix.h"
#include "ml/neighbors.h"
#include "ml/popularity.h"

namespace cinerec::training {

struct CatalogContent;

struct HybridOptions {
  ml::AlsOptions als;
  int patience = 2;       // ALS early stopping on validation NDCG@10 (0 = never)
  bool tune_als = false;  // grid search of lambda / alpha / factors on validation
  bool ease = true;       // item weights from EASE (else co-occurrence); the EASE baseline too
  ml::EaseOptions ease_options;
  int item_k = 200;  // item weights kept per movie
  ml::PopularityOptions popularity;
  int neighbors = 20;   // similar movies kept per movie
  bool content = true;  // fit the content model (needs the catalogue's content)
  ml::ContentFitOptions content_fit;
  int term_buckets = ml::ContentFeaturizer::kDefaultTermBuckets;
  ml::BlendSearchOptions blend;
  double validation_fraction = 0.2;
  std::vector<int> ks = {10, 20};
};

struct Components {
  ml::HybridModel::Parts parts;  // weights left at their defaults
  ml::AlsModel als;              // with user factors
  int best_iteration = 0;        // iterations ALS ran (the best one with validation)
  double best_validation_ndcg = 0;
  std::optional<ml::EaseModel> ease;  // when options.ease
};

// Fits every component on `train`. With validation cells, ALS stops early on them and keeps the best
// iteration; without, it runs options.als.iterations. `content` may be null (no content model).
Components FitComponents(const ml::InteractionMatrix& train, std::span<const ml::Interaction> validation,
                         const CatalogContent* content, const HybridOptions& options, std::ostream& progress);

struct HybridEvaluation {
  ml::AlsOptions als;  // the ALS options chosen (tuned or as given), iterations = best count
  ml::BlendSearchResult blend;
  std::vector<ml::EvaluationResult> evaluation;  // popularity, als, ease (when fitted), hybrid
};

HybridEvaluation EvaluateHybrid(const ml::InteractionMatrix& train, std::span<const ml::Interaction> test,
                                const CatalogContent* content, const HybridOptions& options,
                                std::ostream& progress);

// The cold-movie check: movies with content but no training cells, ranked for the users who later
// watched them, against chance. For each such (user, movie) the movie's rank among all cold movies by the
// model's score; hit rate@k over pairs vs the k / cold-movies a random ranking gets.
struct ColdItemResult {
  std::int64_t pairs = 0;
  std::int64_t cold_movies = 0;
  double hit_rate = 0;  // share of pairs whose movie ranks in the top k of the cold movies
  double chance = 0;    // k / cold_movies
};
ColdItemResult EvaluateColdItems(const ml::HybridModel& model, const ml::InteractionMatrix& train,
                                 std::span<const std::int64_t> cold_movie_ids,
                                 std::span<const std::pair<std::int64_t, std::int64_t>> user_movie_pairs,
                                 const CatalogContent& content, int k);

}  // namespace cinerec::training
