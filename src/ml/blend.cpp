#include "ml/blend.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "ml/parallel.h"
#include "ml/random.h"
#include "ml/top_k.h"

namespace cinerec::ml {
namespace {

constexpr int kC = HybridModel::kComponents;
constexpr const char* kNames[kC] = {"als", "item", "popularity", "genre", "content"};

struct UserCandidates {
  std::vector<std::int32_t> items;     // candidate movies
  std::vector<float> scores;           // candidates x kC
  std::vector<std::uint8_t> relevant;  // per candidate
  double ideal_dcg = 0;  // over min(|relevant held out|, k): misses outside the candidates count
};

double Ndcg(const UserCandidates& u, const float* w, int k, std::vector<float>& blended,
            std::vector<std::int32_t>& order) {
  const std::size_t n = u.items.size();
  blended.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* s = u.scores.data() + i * kC;
    float sum = 0;
    for (int c = 0; c < kC; ++c)
      sum += w[c] * s[c];
    blended[i] = sum;
  }
  order = TopK(blended, k);
  double dcg = 0;
  for (std::size_t r = 0; r < order.size(); ++r)
    if (u.relevant[static_cast<std::size_t>(order[r])]) dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  return u.ideal_dcg > 0 ? dcg / u.ideal_dcg : 0.0;
}

double MeanNdcg(const std::vector<UserCandidates>& users, const float* w, int k) {
  std::vector<float> blended;
  std::vector<std::int32_t> order;
  double sum = 0;
  for (const auto& u : users)
    sum += Ndcg(u, w, k, blended, order);
  return users.empty() ? 0.0 : sum / static_cast<double>(users.size());
}

}  // namespace

BlendSearchResult LearnBlendWeights(const HybridModel& model, const InteractionMatrix& train,
                                    std::span<const Interaction> validation, const BlendSearchOptions& o) {
  BlendSearchResult result;
  const std::int32_t n = model.items();
  // Relevant held-out items per user (not already in training).
  std::map<std::int32_t, std::vector<std::int32_t>> relevant;
  for (const auto& cell : validation)
    if (cell.preference >= o.relevant_min_preference && cell.user >= 0 && cell.user < train.users()
        && cell.item >= 0 && cell.item < n)
      relevant[cell.user].push_back(cell.item);
  std::vector<std::int32_t> users;
  for (auto& [user, items] : relevant) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    const auto seen = train.by_user().RowColumns(user);
    items.erase(
        std::remove_if(items.begin(), items.end(),
                       [&](std::int32_t i) { return std::binary_search(seen.begin(), seen.end(), i); }),
        items.end());
    if (!items.empty() && !seen.empty()) users.push_back(user);
  }
  // A seeded sample (partial Fisher-Yates), then back in user order for determinism of the sums.
  SplitMix64 rng(o.seed);
  const auto sample = std::min<std::size_t>(users.size(), static_cast<std::size_t>(std::max(o.max_users, 1)));
  for (std::size_t i = 0; i < sample; ++i)
    std::swap(users[i], users[i + static_cast<std::size_t>(rng.Below(users.size() - i))]);
  users.resize(sample);
  std::sort(users.begin(), users.end());

  std::vector<UserCandidates> candidates(users.size());
  ParallelFor(static_cast<std::int64_t>(users.size()), 16, o.threads,
              [&](std::int64_t, std::int64_t b, std::int64_t e) {
                std::vector<float> comp(static_cast<std::size_t>(n) * kC);
                for (std::int64_t x = b; x < e; ++x) {
                  const std::int32_t user = users[static_cast<std::size_t>(x)];
                  const auto& m = train.by_user();
                  ViewerProfile viewer;
                  viewer.user_id = train.user_ids().Id(user);
                  for (std::int64_t c = m.RowBegin(user); c < m.RowEnd(user); ++c)
                    viewer.history.push_back(
                        {0, m.columns[static_cast<std::size_t>(c)], m.preference[static_cast<std::size_t>(c)],
                         m.confidence[static_cast<std::size_t>(c)], m.time_ms[static_cast<std::size_t>(c)]});
                  model.ComponentScores(viewer, comp);
                  const auto seen = m.RowColumns(user);
                  std::vector<std::int32_t> pool;
                  for (int c = 0; c < kC; ++c) {
                    const auto top = TopK(std::span<const float>(comp).subspan(
                                              static_cast<std::size_t>(c) * static_cast<std::size_t>(n),
                                              static_cast<std::size_t>(n)),
                                          o.candidates, seen);
                    pool.insert(pool.end(), top.begin(), top.end());
                  }
                  std::sort(pool.begin(), pool.end());
                  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
                  auto& u = candidates[static_cast<std::size_t>(x)];
                  u.items = pool;
                  const auto& rel = relevant.at(user);
                  for (auto item : pool) {
                    for (int c = 0; c < kC; ++c)
                      u.scores.push_back(comp[static_cast<std::size_t>(c) * static_cast<std::size_t>(n)
                                              + static_cast<std::size_t>(item)]);
                    u.relevant.push_back(std::binary_search(rel.begin(), rel.end(), item) ? 1 : 0);
                  }
                  const std::size_t ideal = std::min(rel.size(), static_cast<std::size_t>(o.k));
                  for (std::size_t r = 0; r < ideal; ++r)
                    u.ideal_dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
                }
              });
  result.users = static_cast<std::int64_t>(candidates.size());

  float best[kC] = {};
  double best_ndcg = -1;
  for (int c = 0; c < kC; ++c) {
    float w[kC] = {};
    w[c] = 1;
    result.single[c] = MeanNdcg(candidates, w, o.k);
    if (result.single[c] > best_ndcg) {
      best_ndcg = result.single[c];
      std::copy(w, w + kC, best);
    }
  }
  for (result.passes = 0; result.passes < o.max_passes;) {
    ++result.passes;
    bool changed = false;
    for (int c = 0; c < kC; ++c) {
      for (float g : o.grid) {
        if (g == best[c]) continue;
        float w[kC];
        std::copy(best, best + kC, w);
        w[c] = g;
        if (std::all_of(w, w + kC, [](float x) { return x == 0; })) continue;
        const double ndcg = MeanNdcg(candidates, w, o.k);
        if (ndcg > best_ndcg + 1e-9) {
          best_ndcg = ndcg;
          best[c] = g;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  result.weights = {best[0], best[1], best[2], best[3], best[4]};
  result.ndcg = std::max(best_ndcg, 0.0);
  return result;
}

std::string FormatBlend(const BlendSearchResult& r) {
  std::string out = fmt::format("blend: {} validation users, {} passes; ndcg@10 alone:", r.users, r.passes);
  for (int c = 0; c < kC; ++c)
    out += fmt::format(" {} {:.4f}", kNames[c], r.single[c]);
  out += fmt::format("; learned weights als {} item {} popularity {} genre {} content {} -> {:.4f}\n",
                     r.weights.als, r.weights.item, r.weights.popularity, r.weights.genre, r.weights.content,
                     r.ndcg);
  return out;
}

}  // namespace cinerec::ml
