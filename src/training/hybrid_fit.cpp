#include "training/hybrid_fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <ostream>

#include "ml/als_recommender.h"
#include "ml/sparse_item_weights.h"
#include "ml/split.h"
#include "ml/top_k.h"
#include "training/pg_movie_content.h"
#include "training/trainer.h"

namespace cinerec::training {
namespace {

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<ml::Interaction> History(const ml::InteractionMatrix& m, std::int32_t user) {
  std::vector<ml::Interaction> h;
  const auto& r = m.by_user();
  for (std::int64_t c = r.RowBegin(user); c < r.RowEnd(user); ++c) {
    const auto i = static_cast<std::size_t>(c);
    h.push_back({0, r.columns[i], r.preference[i], r.confidence[i], r.time_ms[i]});
  }
  return h;
}

// ALS with early stopping on validation NDCG@10 (when there are validation cells).
ml::AlsModel FitAls(const ml::InteractionMatrix& train, std::span<const ml::Interaction> validation,
                    const ml::AlsOptions& als, int patience, int& best_iteration, double& best_ndcg,
                    std::ostream* progress) {
  if (validation.empty()) {
    best_iteration = als.iterations;
    return ml::TrainAls(train, als);
  }
  ml::EvaluationOptions eval10;
  eval10.ks = {10};
  eval10.threads = als.threads;
  ml::AlsModel best;
  best_iteration = 0;
  best_ndcg = -1;
  int since_best = 0;
  auto last = ml::TrainAls(train, als, [&](const ml::AlsProgress& p) {
    const ml::AlsRecommender current(*p.model, als.regularization, als.alpha);
    const double ndcg = ml::Evaluate(current, train, validation, eval10).at.front().ndcg;
    if (progress)
      *progress << fmt::format("als: iteration {:>3}  {:7.2f} s  loss {:.6g}  validation ndcg@10 {:.5f}\n",
                               p.iteration, p.seconds, p.loss, ndcg);
    if (ndcg > best_ndcg) {
      best_ndcg = ndcg;
      best_iteration = p.iteration;
      best = *p.model;
      since_best = 0;
      return true;
    }
    return !(patience > 0 && ++since_best >= patience);
  });
  if (best_iteration == 0) {
    best_iteration = als.iterations;
    return last;
  }
  best_ndcg = std::max(best_ndcg, 0.0);
  return best;
}

}  // namespace

Components FitComponents(const ml::InteractionMatrix& train, std::span<const ml::Interaction> validation,
                         const CatalogContent* content, const HybridOptions& o, std::ostream& progress) {
  Components out;
  auto& p = out.parts;
  auto start = std::chrono::steady_clock::now();
  out.als =
      FitAls(train, validation, o.als, o.patience, out.best_iteration, out.best_validation_ndcg, &progress);
  progress << fmt::format("als: {} iterations, {:.2f} s\n", out.best_iteration, Since(start));
  p.users = train.user_ids();
  p.items = train.item_ids();
  p.factors = out.als.factors;
  p.item_factors = out.als.item_factors;
  p.regularization = o.als.regularization;
  p.alpha = o.als.alpha;

  start = std::chrono::steady_clock::now();
  const auto neighbors =
      ml::CosineNeighbors(out.als.item_factors, out.als.items, out.als.factors, o.neighbors, o.als.threads);
  p.neighbor_k = neighbors.k;
  p.neighbor_ids = neighbors.ids;
  p.neighbor_scores = neighbors.scores;
  ml::SparseItemWeights item;
  if (o.ease) {
    out.ease = ml::TrainEase(train, o.ease_options);
    item = ml::TopKEase(*out.ease, std::min(o.item_k, std::max(train.items() - 1, 1)), o.als.threads);
  } else {
    ml::CooccurrenceOptions co;
    co.threads = o.als.threads;
    co.shrinkage = 10.0f;
    item = ml::FromNeighbors(ml::CooccurrenceNeighbors(train, o.item_k, co));
  }
  p.item_k = item.k;
  p.item_weight_ids = std::move(item.ids);
  p.item_weights = std::move(item.weights);
  p.popularity = ml::PopularityScores(train, o.popularity);
  progress << fmt::format("neighbours, item weights ({}), popularity: {:.2f} s\n",
                          o.ease ? "ease" : "co-occurrence", Since(start));

  // Genres (and the content model) from the catalogue; movies it does not know have none.
  const auto n = static_cast<std::size_t>(train.items());
  p.item_genres.resize(n);
  if (content) {
    p.genre_names = content->genres;
    std::map<std::string, std::int32_t, std::less<>> index;
    for (std::size_t g = 0; g < p.genre_names.size(); ++g)
      index.emplace(p.genre_names[g], static_cast<std::int32_t>(g));
    std::vector<ml::SparseFeatures> features(n);
    const ml::ContentFeaturizer featurizer(p.genre_names, o.term_buckets,
                                           ml::ContentFeaturizer::DefaultYearEdges());
    for (std::size_t i = 0; i < n; ++i) {
      const auto it = content->movies.find(train.item_ids().Id(static_cast<std::int32_t>(i)));
      if (it == content->movies.end()) continue;
      for (const auto& g : it->second.genres)
        if (auto gi = index.find(g); gi != index.end()) p.item_genres[i].push_back(gi->second);
      features[i] = featurizer.Features(it->second);
    }
    if (o.content) {
      start = std::chrono::steady_clock::now();
      std::vector<std::int64_t> counts(n);
      for (std::size_t i = 0; i < n; ++i)
        counts[i] = train.by_item().RowSize(static_cast<std::int32_t>(i));
      p.term_buckets = featurizer.term_buckets();
      p.year_edges = featurizer.year_edges();
      p.content_weights = ml::FitContentMapping(features, p.item_factors, counts, featurizer.features(),
                                                p.factors, o.content_fit);
      p.content_vectors.resize(n * static_cast<std::size_t>(p.factors));
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = ml::EmbedFeatures(features[i], p.content_weights, p.factors);
        std::copy(v.begin(), v.end(), p.content_vectors.begin() + static_cast<std::ptrdiff_t>(i * v.size()));
      }
      progress << fmt::format("content model ({} features): {:.2f} s\n", featurizer.features(), Since(start));
    }
  }
  return out;
}

HybridEvaluation EvaluateHybrid(const ml::InteractionMatrix& train, std::span<const ml::Interaction> test,
                                const CatalogContent* content, const HybridOptions& options,
                                std::ostream& progress) {
  HybridEvaluation result;
  HybridOptions o = options;
  const HeldOut inner = SplitMatrix(train, {SplitKind::kTime, o.validation_fraction, o.als.seed});
  progress << fmt::format("validation split: {} cells to fit, {} to validate\n", inner.train.nnz(),
                          inner.test.size());

  if (o.tune_als) {
    auto start = std::chrono::steady_clock::now();
    double best = -1;
    ml::AlsOptions chosen = o.als;
    const auto consider = [&](ml::AlsOptions candidate) {
      int iterations = 0;
      double ndcg = 0;
      candidate.compute_loss = false;
      FitAls(inner.train, inner.test, candidate, o.patience, iterations, ndcg, nullptr);
      progress << fmt::format(
          "tune: factors {:>3} lambda {:>6} alpha {:>5} -> ndcg@10 {:.5f} ({} iterations)\n",
          candidate.factors, candidate.regularization, candidate.alpha, ndcg, iterations);
      if (ndcg > best) {
        best = ndcg;
        chosen = candidate;
      }
    };
    for (float lambda : {1.0f, 10.0f, 50.0f, 150.0f})
      for (float alpha : {1.0f, 5.0f, 20.0f}) {
        ml::AlsOptions candidate = o.als;
        candidate.regularization = lambda;
        candidate.alpha = alpha;
        consider(candidate);
      }
    if (chosen.factors >= 16) {
      ml::AlsOptions half = chosen;
      half.factors = chosen.factors / 2;
      consider(half);
    }
    o.als = chosen;
    progress << fmt::format("tune: chose factors {} lambda {} alpha {} ({:.1f} s)\n", chosen.factors,
                            chosen.regularization, chosen.alpha, Since(start));
  }

  // Components on the fit part, weights learned on validation.
  progress << "-- components on the fit part\n";
  Components inner_fit = FitComponents(inner.train, inner.test, content, o, progress);
  const ml::HybridModel inner_model(inner_fit.parts);
  auto start = std::chrono::steady_clock::now();
  result.blend = ml::LearnBlendWeights(inner_model, inner.train, inner.test, o.blend);
  progress << ml::FormatBlend(result.blend) << fmt::format("blend search: {:.2f} s\n", Since(start));

  // Components on the whole training part, as many ALS iterations as were best on validation.
  o.als.iterations = std::max(inner_fit.best_iteration, 1);
  result.als = o.als;
  progress << "-- components on the training part\n";
  Components fit = FitComponents(train, {}, content, o, progress);
  fit.parts.weights = result.blend.weights;
  const ml::HybridModel hybrid(std::move(fit.parts));

  ml::EvaluationOptions eval;
  eval.ks = o.ks;
  eval.threads = o.als.threads;
  start = std::chrono::steady_clock::now();
  const ml::PopularityRecommender popularity(ml::PopularityScores(train, o.popularity));
  result.evaluation.push_back(ml::Evaluate(popularity, train, test, eval));
  const ml::AlsRecommender als(fit.als, o.als.regularization, o.als.alpha);
  result.evaluation.push_back(ml::Evaluate(als, train, test, eval));
  if (fit.ease) {
    const ml::EaseRecommender ease(*fit.ease);
    result.evaluation.push_back(ml::Evaluate(ease, train, test, eval));
  }
  result.evaluation.push_back(ml::Evaluate(hybrid, train, test, eval));
  progress << fmt::format("evaluation: {:.2f} s\n", Since(start));
  return result;
}

ColdItemResult EvaluateColdItems(const ml::HybridModel& model, const ml::InteractionMatrix& train,
                                 std::span<const std::int64_t> cold_movie_ids,
                                 std::span<const std::pair<std::int64_t, std::int64_t>> pairs,
                                 const CatalogContent& content, int k) {
  ColdItemResult r;
  std::vector<ml::OutsideMovie> cold;
  std::map<std::int64_t, std::size_t> position;
  for (auto id : cold_movie_ids) {
    const auto it = content.movies.find(id);
    if (it == content.movies.end() || position.count(id)) continue;
    position.emplace(id, cold.size());
    cold.push_back(model.PrepareOutsideMovie(it->second));
  }
  r.cold_movies = static_cast<std::int64_t>(cold.size());
  if (cold.empty()) return r;
  std::vector<float> scores(static_cast<std::size_t>(model.items())), cold_scores(cold.size());
  std::int64_t hits = 0;
  for (const auto& [user_id, movie_id] : pairs) {
    const auto user = train.user_ids().Find(user_id);
    const auto movie = position.find(movie_id);
    if (!user || movie == position.end()) continue;
    ml::ViewerProfile viewer;
    viewer.user_id = user_id;
    viewer.history = History(train, *user);
    model.ScoreViewer(viewer, scores, cold, cold_scores);
    const float mine = cold_scores[movie->second];
    std::int64_t better = 0;
    for (std::size_t c = 0; c < cold_scores.size(); ++c)
      if (c != movie->second
          && ml::RanksBefore(cold_scores[c], static_cast<std::int32_t>(c), mine,
                             static_cast<std::int32_t>(movie->second)))
        ++better;
    if (better < k) ++hits;
    ++r.pairs;
  }
  r.hit_rate = r.pairs ? static_cast<double>(hits) / static_cast<double>(r.pairs) : 0.0;
  r.chance = std::min(1.0, static_cast<double>(k) / static_cast<double>(cold.size()));
  return r;
}

}  // namespace cinerec::training
