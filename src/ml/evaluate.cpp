#include "ml/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "ml/metrics.h"
#include "ml/parallel.h"
#include "ml/top_k.h"

namespace cinerec::ml {
namespace {

struct Sums {
  double precision = 0, recall = 0, ndcg = 0, map = 0, hit = 0;
};

// Each user's relevant items, sorted, without those the user has in training.
std::vector<std::vector<std::int32_t>> RelevantItems(const InteractionMatrix& train,
                                                     std::span<const Interaction> test,
                                                     float min_preference) {
  std::vector<std::vector<std::int32_t>> relevant(static_cast<std::size_t>(train.users()));
  for (const auto& cell : test) {
    if (cell.user < 0 || cell.user >= train.users() || cell.item < 0 || cell.item >= train.items())
      throw std::invalid_argument("evaluate: a test cell is outside the training matrix");
    if (cell.preference < min_preference) continue;
    const auto seen = train.by_user().RowColumns(cell.user);
    if (std::binary_search(seen.begin(), seen.end(), cell.item)) continue;
    relevant[static_cast<std::size_t>(cell.user)].push_back(cell.item);
  }
  for (auto& items : relevant) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
  }
  return relevant;
}

std::vector<Interaction> History(const CsrMatrix& m, std::int32_t u) {
  std::vector<Interaction> history;
  for (std::int64_t k = m.RowBegin(u); k < m.RowEnd(u); ++k) {
    const auto kk = static_cast<std::size_t>(k);
    history.push_back({u, m.columns[kk], m.preference[kk], m.confidence[kk], m.time_ms[kk]});
  }
  return history;
}

}  // namespace

const MetricsAtK* EvaluationResult::At(int k) const {
  for (const auto& m : at) {
    if (m.k == k) return &m;
  }
  return nullptr;
}

EvaluationResult Evaluate(const Recommender& recommender, const InteractionMatrix& train,
                          std::span<const Interaction> test, const EvaluationOptions& options) {
  if (recommender.items() != train.items())
    throw std::invalid_argument("evaluate: the recommender and the matrix disagree on the number of items");
  int max_k = 0;
  for (int k : options.ks) {
    if (k <= 0) throw std::invalid_argument("evaluate: k must be > 0");
    max_k = std::max(max_k, k);
  }
  const auto relevant = RelevantItems(train, test, options.relevant_min_preference);
  std::vector<std::int32_t> users;
  for (std::int32_t u = 0; u < train.users(); ++u) {
    if (!relevant[static_cast<std::size_t>(u)].empty()) users.push_back(u);
  }

  // Per user: the top max_k list (for coverage); per chunk and k: the metric sums (added in chunk order).
  constexpr std::int64_t kGrain = 32;
  const auto n_users = static_cast<std::int64_t>(users.size());
  const std::size_t n_ks = options.ks.size();
  std::vector<std::vector<std::int32_t>> tops(users.size());
  std::vector<Sums> sums(static_cast<std::size_t>(ChunkCount(n_users, kGrain)) * n_ks);
  ParallelFor(n_users, kGrain, options.threads,
              [&](std::int64_t chunk, std::int64_t begin, std::int64_t end) {
                std::vector<float> scores(static_cast<std::size_t>(train.items()));
                for (std::int64_t at = begin; at < end; ++at) {
                  const std::int32_t u = users[static_cast<std::size_t>(at)];
                  const std::vector<Interaction> history = History(train.by_user(), u);
                  recommender.Score(u, history, scores);
                  auto& top = tops[static_cast<std::size_t>(at)];
                  top = TopK(scores, max_k, train.by_user().RowColumns(u));
                  for (std::size_t q = 0; q < n_ks; ++q) {
                    const RankingMetrics m =
                        ComputeRankingMetrics(top, relevant[static_cast<std::size_t>(u)], options.ks[q]);
                    Sums& s = sums[static_cast<std::size_t>(chunk) * n_ks + q];
                    s.precision += m.precision;
                    s.recall += m.recall;
                    s.ndcg += m.ndcg;
                    s.map += m.average_precision;
                    s.hit += m.hit;
                  }
                }
              });

  EvaluationResult result;
  result.model = recommender.name();
  result.users = n_users;
  for (std::size_t q = 0; q < n_ks; ++q) {
    Sums total;
    for (std::size_t c = q; c < sums.size(); c += n_ks) {
      total.precision += sums[c].precision;
      total.recall += sums[c].recall;
      total.ndcg += sums[c].ndcg;
      total.map += sums[c].map;
      total.hit += sums[c].hit;
    }
    const int k = options.ks[q];
    std::vector<bool> covered(static_cast<std::size_t>(train.items()), false);
    for (const auto& top : tops) {
      for (std::size_t r = 0; r < top.size() && r < static_cast<std::size_t>(k); ++r)
        covered[static_cast<std::size_t>(top[r])] = true;
    }
    const double denominator = n_users > 0 ? static_cast<double>(n_users) : 1.0;
    MetricsAtK m;
    m.k = k;
    m.precision = total.precision / denominator;
    m.recall = total.recall / denominator;
    m.ndcg = total.ndcg / denominator;
    m.map = total.map / denominator;
    m.hit_rate = total.hit / denominator;
    m.coverage = train.items() > 0
                     ? static_cast<double>(std::count(covered.begin(), covered.end(), true)) / train.items()
                     : 0.0;
    result.at.push_back(m);
  }
  return result;
}

std::string FormatEvaluation(std::span<const EvaluationResult> results) {
  std::string out = fmt::format("{:<12} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}\n", "model", "k",
                                "precision", "recall", "ndcg", "map", "hit_rate", "coverage", "users");
  for (const auto& r : results) {
    for (const auto& m : r.at) {
      out += fmt::format("{:<12} {:>4} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>8}\n",
                         r.model, m.k, m.precision, m.recall, m.ndcg, m.map, m.hit_rate, m.coverage, r.users);
    }
  }
  return out;
}

}  // namespace cinerec::ml
