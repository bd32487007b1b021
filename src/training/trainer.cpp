#include "training/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <ostream>

#include "ml/als_recommender.h"

namespace cinerec::training {
namespace {

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

HeldOut SplitMatrix(const ml::InteractionMatrix& matrix, const SplitOptions& options) {
  const std::vector<ml::Interaction> cells = matrix.Cells();
  ml::Split split;
  if (options.kind == SplitKind::kTime) {
    ml::TimeSplitOptions time;
    time.fraction = options.fraction;
    split = ml::SplitByTime(cells, time);
  } else {
    ml::RandomSplitOptions random;
    random.fraction = options.fraction;
    random.seed = options.seed;
    split = ml::SplitRandom(cells, random);
  }
  return {ml::InteractionMatrix::Build(matrix.user_ids(), matrix.item_ids(), split.train),
          std::move(split.test)};
}

FitResult FitAndEvaluate(const ml::InteractionMatrix& train, std::span<const ml::Interaction> test,
                         const ModelOptions& options, std::ostream& progress) {
  FitResult result;
  ml::EvaluationOptions eval;
  eval.ks = options.ks;
  eval.threads = options.als.threads;
  ml::EvaluationOptions eval10 = eval;
  eval10.ks = {10};

  auto start = std::chrono::steady_clock::now();
  result.popularity = ml::PopularityScores(train, options.popularity);
  const ml::PopularityRecommender popularity(result.popularity);
  result.evaluation.push_back(ml::Evaluate(popularity, train, test, eval));
  progress << fmt::format("popularity: {:.2f} s\n", Since(start));

  int since_best = 0;
  result.best_ndcg10 = -1;
  auto on_iteration = [&](const ml::AlsProgress& p) {
    const ml::AlsRecommender current(*p.model, options.als.regularization, options.als.alpha);
    const double ndcg = ml::Evaluate(current, train, test, eval10).at.front().ndcg;
    progress << fmt::format("als: iteration {:>3}  {:7.2f} s  loss {:.6g}  validation ndcg@10 {:.5f}\n",
                            p.iteration, p.seconds, p.loss, ndcg);
    if (ndcg > result.best_ndcg10) {
      result.best_ndcg10 = ndcg;
      result.best_iteration = p.iteration;
      result.als = *p.model;
      since_best = 0;
      return true;
    }
    ++since_best;
    if (options.patience > 0 && since_best >= options.patience) {
      progress << fmt::format("als: stopped early, best iteration {} (ndcg@10 {:.5f})\n",
                              result.best_iteration, result.best_ndcg10);
      return false;
    }
    return true;
  };
  start = std::chrono::steady_clock::now();
  ml::AlsModel last = ml::TrainAls(train, options.als, on_iteration);
  if (result.best_iteration == 0) result.als = std::move(last);
  result.best_ndcg10 = std::max(result.best_ndcg10, 0.0);
  progress << fmt::format("als: {:.2f} s\n", Since(start));
  const ml::AlsRecommender als(result.als, options.als.regularization, options.als.alpha);
  result.evaluation.push_back(ml::Evaluate(als, train, test, eval));

  if (options.ease) {
    start = std::chrono::steady_clock::now();
    result.ease = ml::TrainEase(train, options.ease_options);
    const ml::EaseRecommender ease(*result.ease);
    result.evaluation.push_back(ml::Evaluate(ease, train, test, eval));
    progress << fmt::format("ease: {:.2f} s ({} movies)\n", Since(start), train.items());
  }
  return result;
}

}  // namespace cinerec::training
