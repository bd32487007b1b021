// The cost of scoring one viewer with the hybrid model at the issue-6 cache-miss size (60,000 movies × 64
// factors, content model, 200 item-item weights per movie, a 30-movie history): what every recommendation
// cache miss pays before the rules and the candidate list. Random values: the cost depends on sizes only.
// BM_BuildCandidates adds the rules and the top 300 over a 60,000-movie catalogue: all of a miss's work after
// the history is loaded.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "catalog/movie_directory.h"
#include "ml/als_recommender.h"
#include "ml/hybrid_model.h"
#include "ml/hybrid_parts.h"
#include "ml/quantized_factors.h"
#include "recommend/candidate_builder.h"
#include "recommend/serving_model.h"
#include "recommend/viewer_profile.h"

namespace {

using cinerec::ml::HybridModel;

HybridModel::Parts MakeParts(int items, int factors) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  HybridModel::Parts p;
  p.version = "20260101T000000Z-bench0";
  std::vector<std::int64_t> ids(static_cast<std::size_t>(items));
  for (int i = 0; i < items; ++i)
    ids[static_cast<std::size_t>(i)] = i + 1;
  p.items = cinerec::ml::IdMap(ids);
  p.users = cinerec::ml::IdMap(std::vector<std::int64_t>{1});
  p.factors = factors;
  const auto cells = static_cast<std::size_t>(items) * static_cast<std::size_t>(factors);
  p.item_factors.resize(cells);
  for (auto& v : p.item_factors)
    v = u(rng);
  p.neighbor_k = 20;
  p.item_k = 200;
  for (int i = 0; i < items; ++i) {
    for (int j = 0; j < p.neighbor_k; ++j) {
      p.neighbor_ids.push_back(static_cast<std::int32_t>(rng() % static_cast<unsigned>(items)));
      p.neighbor_scores.push_back(0.5f);
    }
    for (int j = 0; j < p.item_k; ++j) {
      p.item_weight_ids.push_back(static_cast<std::int32_t>(rng() % static_cast<unsigned>(items)));
      p.item_weights.push_back(0.01f);
    }
    p.popularity.push_back(static_cast<float>(rng() % 1000));
    p.item_genres.push_back({static_cast<std::int32_t>(rng() % 19)});
  }
  for (int g = 0; g < 19; ++g)
    p.genre_names.push_back("genre" + std::to_string(g));
  p.term_buckets = 1024;
  p.year_edges = {1960, 1980, 1990, 2000, 2010, 2015, 2020};
  const auto features = 19 + p.term_buckets + static_cast<int>(p.year_edges.size()) + 1;
  p.content_weights.resize(static_cast<std::size_t>(features) * static_cast<std::size_t>(factors));
  for (auto& v : p.content_weights)
    v = u(rng);
  p.content_vectors.resize(cells);
  for (auto& v : p.content_vectors)
    v = u(rng);
  p.weights = {1.0f, 0.3f, 0.1f, 0.2f, 0.2f};
  return p;
}

cinerec::ml::ViewerProfile BenchViewer(int items) {
  cinerec::ml::ViewerProfile viewer;
  viewer.user_id = 424242;  // not trained: fold-in from the history, as most misses
  for (int i = 0; i < 30; ++i)
    viewer.history.push_back({0, static_cast<std::int32_t>((i * 7919) % items), 1.0f, 1.0f, 0});
  return viewer;
}

void BM_HybridScoreViewer(benchmark::State& state) {
  const int items = static_cast<int>(state.range(0));
  const HybridModel model(MakeParts(items, 64));
  const auto viewer = BenchViewer(items);
  std::vector<float> scores(static_cast<std::size_t>(items));
  for (auto _ : state) {
    model.ScoreViewer(viewer, scores);
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(state.iterations() * items);
}
BENCHMARK(BM_HybridScoreViewer)->Arg(60000)->Unit(benchmark::kMicrosecond);

void BM_BuildCandidates(benchmark::State& state) {
  namespace rec = cinerec::recommend;
  const int items = static_cast<int>(state.range(0));
  const auto model = rec::WrapHybridModel(std::make_shared<const HybridModel>(MakeParts(items, 64)));
  std::vector<cinerec::catalog::MovieInfo> catalogue;
  for (int i = 0; i < items; ++i)
    catalogue.push_back({i + 1,
                         "Movie " + std::to_string(i + 1),
                         {"genre" + std::to_string(i % 19)},
                         5400,
                         7,
                         i % 100 == 0});  // 1 % deleted
  const cinerec::catalog::MovieSnapshot movies(std::move(catalogue));
  const auto outside = rec::FindOutsideMovies(*model, movies);
  rec::ViewerFacts facts;
  facts.profile = BenchViewer(items);
  for (const auto& cell : facts.profile.history) {
    facts.excluded.insert(model->item_ids().Id(cell.item));
    facts.positives.push_back(model->item_ids().Id(cell.item));
  }
  rec::BuildInput input{model.get(), &facts, &movies, &outside};
  for (auto _ : state) {
    auto list = rec::BuildCandidates(input);
    benchmark::DoNotOptimize(list.items.data());
  }
  state.SetItemsProcessed(state.iterations() * items);
}
BENCHMARK(BM_BuildCandidates)->Arg(60000)->Unit(benchmark::kMicrosecond);

// What the model's two factor components used to do per movie (a scalar dot product, not vectorised), next
// to the Eigen matrix-vector product (one matrix, float) and the int8 pass that scores both matrices at once
// (ml/quantized_factors.h), which is what a miss runs now: 60,000 movies × 64 factors.
std::vector<float> RandomFloats(std::size_t n) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v)
    x = u(rng);
  return v;
}

void BM_ScoreRowsScalarDot(benchmark::State& state) {
  const int items = 60000, k = 64;
  const auto y = RandomFloats(static_cast<std::size_t>(items) * k), x = RandomFloats(k);
  std::vector<float> out(static_cast<std::size_t>(items));
  for (auto _ : state) {
    for (int i = 0; i < items; ++i) {
      float sum = 0;
      for (int f = 0; f < k; ++f)
        sum +=
            x[static_cast<std::size_t>(f)] * y[static_cast<std::size_t>(i) * k + static_cast<std::size_t>(f)];
      out[static_cast<std::size_t>(i)] = sum;
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ScoreRowsScalarDot)->Unit(benchmark::kMicrosecond);

void BM_ScoreRowsEigen(benchmark::State& state) {
  const int items = 60000, k = 64;
  const auto y = RandomFloats(static_cast<std::size_t>(items) * k), x = RandomFloats(k);
  std::vector<float> out(static_cast<std::size_t>(items));
  for (auto _ : state) {
    cinerec::ml::ScoreFactors(y.data(), items, k, x.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ScoreRowsEigen)->Unit(benchmark::kMicrosecond);

void BM_ScoreRowsInt8BothMatrices(benchmark::State& state) {
  const int items = 60000, k = 64;
  const auto y = RandomFloats(static_cast<std::size_t>(items) * k), x = RandomFloats(k);
  const cinerec::ml::QuantizedFactors quantized(y, y, items, k);
  std::vector<float> out_a(static_cast<std::size_t>(items)), out_b(out_a.size());
  for (auto _ : state) {
    quantized.Score(x.data(), out_a.data(), x.data(), out_b.data());
    benchmark::DoNotOptimize(out_a.data());
    benchmark::DoNotOptimize(out_b.data());
  }
}
BENCHMARK(BM_ScoreRowsInt8BothMatrices)->Unit(benchmark::kMicrosecond);

}  // namespace
