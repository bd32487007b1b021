#pragma once
// Offline evaluation of any Recommender on a held-out split (ml/split.h): for each user with at least one
// relevant held-out cell, score every item from the user's training cells, drop the items the user has in
// training (as serving will), take the top k and compare with the held-out items. Metrics are the means
// over those users (ml/metrics.h), plus catalogue coverage.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ml/interaction.h"
#include "ml/interaction_matrix.h"
#include "ml/recommender.h"

namespace cinerec::ml {

struct EvaluationOptions {
  std::vector<int> ks = {10, 20};
  // A held-out cell is relevant when its combined preference is at least this (dislikes and abandoned
  // views are not something to recommend). Held-out items also present in training are not relevant.
  float relevant_min_preference = 0.5f;
  int threads = 0;
};

struct MetricsAtK {
  int k = 0;
  double precision = 0;
  double recall = 0;
  double ndcg = 0;
  double map = 0;
  double hit_rate = 0;
  // Distinct items in anyone's top k / items in the catalogue.
  double coverage = 0;
};

struct EvaluationResult {
  std::string model;
  std::int64_t users = 0;      // users evaluated (with >= 1 relevant held-out item)
  std::vector<MetricsAtK> at;  // one per k, in options.ks order

  const MetricsAtK* At(int k) const;
};

// `train` is the matrix the recommender was fitted on; `test` the held-out cells (same index space).
// Deterministic for any thread count.
EvaluationResult Evaluate(const Recommender& recommender, const InteractionMatrix& train,
                          std::span<const Interaction> test, const EvaluationOptions& options = {});

// A fixed-width text table of results side by side (one row per model and k).
std::string FormatEvaluation(std::span<const EvaluationResult> results);

}  // namespace cinerec::ml
