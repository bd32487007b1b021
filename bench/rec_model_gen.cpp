// `make bench` stage "recommend" (scripts/bench_recommend.sh, docs/benchmarks.md): publishes a synthetic
// hybrid model of a given size to S3 (models/<version>, then LATEST), built with the project's own writers
// (ml::AddHybridArtefacts and the user artefacts as training adds them) and stored through
// modelstore::ModelStore, so that `cinerec serve` loads it exactly as it loads a trained model.
//
// Why: the service's memory with a model for 1M users x 60k movies x 64 factors is one of the issue-6
// figures, and `cinerec train` on 1M users evaluates every user on validation several times (about 200
// core-seconds per pass at 60k movies), which does not fit a benchmark run on the 2 shared cores. The sizes
// of the arrays, not their values, decide the memory; values are random (finite, in the ranges training
// produces).
//
// Contents, as training writes them: user_ids (1..users) and user_factors (users x factors); movie ids
// 1..movies with item factors, `--neighbors` similar movies, `--item-k` sparse item-item weights, popularity,
// 1-3 genres per movie of the MovieLens genre list, and the content model (genres, 1024 hashed term buckets,
// year bins) unless --no-content. Store and bucket come from the usual configuration (CINEREC_S3_*).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <random>

#include "app/stores.h"
#include "common/config.h"
#include "ml/content_model.h"
#include "ml/hybrid_model_bundle.h"
#include "ml/hybrid_parts.h"
#include "modelstore/artefact.h"
#include "modelstore/model_bundle.h"
#include "modelstore/model_store.h"
#include "storage/s3/object_store.h"

namespace {

using cinerec::ml::HybridModel;

std::vector<std::int64_t> Ids(std::int64_t n) {
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    ids[static_cast<std::size_t>(i)] = i + 1;
  return ids;
}

std::vector<float> Normal(std::size_t n, float sigma, std::mt19937_64& rng) {
  std::normal_distribution<float> d(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v)
    x = d(rng);
  return v;
}

// K other movies per movie (ids are row indices), scores descending in (0, 1].
void RandomNeighbours(std::int64_t movies, int k, std::mt19937_64& rng, std::vector<std::int32_t>& ids,
                      std::vector<float>& scores) {
  std::uniform_int_distribution<std::int32_t> pick(0, static_cast<std::int32_t>(movies - 1));
  ids.resize(static_cast<std::size_t>(movies) * static_cast<std::size_t>(k));
  scores.resize(ids.size());
  for (std::int64_t m = 0; m < movies; ++m)
    for (int j = 0; j < k; ++j) {
      const auto at = static_cast<std::size_t>(m) * static_cast<std::size_t>(k) + static_cast<std::size_t>(j);
      auto id = pick(rng);
      if (id == m) id = static_cast<std::int32_t>((id + 1) % movies);
      ids[at] = id;
      scores[at] = 1.0f / static_cast<float>(j + 1);
    }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Publish a synthetic hybrid model of the given size to S3 models/LATEST"};
  std::int64_t users = 1000000, movies = 60000;
  int factors = 64, neighbors = 20, item_k = 200;
  std::uint64_t seed = 42;
  bool no_content = false;
  app.add_option("--users", users, "Users (ids 1..N)")->check(CLI::PositiveNumber);
  app.add_option("--movies", movies, "Movies (ids 1..N, as `cinerec generate` numbers them)")
      ->check(CLI::PositiveNumber);
  app.add_option("--factors", factors, "ALS factors")->check(CLI::Range(1, 4096));
  app.add_option("--neighbors", neighbors, "Similar movies per movie")->check(CLI::PositiveNumber);
  app.add_option("--item-k", item_k, "Item-item weights per movie")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Random seed");
  app.add_flag("--no-content", no_content, "No content model");
  CLI11_PARSE(app, argc, argv);

  try {
    std::mt19937_64 rng(seed);
    cinerec::modelstore::ModelBundle bundle;
    HybridModel::Parts p;
    p.version = bundle.version();
    p.users = cinerec::ml::IdMap(Ids(users));
    p.items = cinerec::ml::IdMap(Ids(movies));
    p.factors = factors;
    const auto cells = static_cast<std::size_t>(movies) * static_cast<std::size_t>(factors);
    p.item_factors = Normal(cells, 0.1f, rng);
    p.neighbor_k = neighbors;
    RandomNeighbours(movies, neighbors, rng, p.neighbor_ids, p.neighbor_scores);
    p.item_k = item_k;
    RandomNeighbours(movies, item_k, rng, p.item_weight_ids, p.item_weights);
    p.popularity.resize(static_cast<std::size_t>(movies));
    for (std::size_t i = 0; i < p.popularity.size(); ++i)
      p.popularity[i] = 1.0f / static_cast<float>(i + 1);
    p.genre_names = {"Action",  "Adventure", "Animation", "Children", "Comedy", "Crime",   "Documentary",
                     "Drama",   "Fantasy",   "Film-Noir", "Horror",   "IMAX",   "Musical", "Mystery",
                     "Romance", "Sci-Fi",    "Thriller",  "War",      "Western"};
    std::uniform_int_distribution<std::int32_t> genre(0, static_cast<std::int32_t>(p.genre_names.size() - 1));
    std::uniform_int_distribution<int> genre_count(1, 3);
    p.item_genres.resize(static_cast<std::size_t>(movies));
    for (auto& g : p.item_genres) {
      for (int n = genre_count(rng); n > 0; --n)
        g.push_back(genre(rng));
      std::sort(g.begin(), g.end());
      g.erase(std::unique(g.begin(), g.end()), g.end());
    }
    if (!no_content) {
      p.term_buckets = cinerec::ml::ContentFeaturizer::kDefaultTermBuckets;
      p.year_edges = cinerec::ml::ContentFeaturizer::DefaultYearEdges();
      const cinerec::ml::ContentFeaturizer featurizer(p.genre_names, p.term_buckets, p.year_edges);
      p.content_weights = Normal(
          static_cast<std::size_t>(featurizer.features()) * static_cast<std::size_t>(factors), 0.05f, rng);
      p.content_vectors = Normal(cells, 0.1f, rng);
    }
    p.weights = {1.0f, 0.3f, 0.1f, 0.1f, 0.1f};

    const auto user_factors =
        Normal(static_cast<std::size_t>(users) * static_cast<std::size_t>(factors), 0.1f, rng);
    const auto user_ids = Ids(users);
    bundle.Add(cinerec::modelstore::Artefact::Vector<std::int64_t>("user_ids", user_ids));
    bundle.Add(cinerec::modelstore::Artefact::Matrix<float>("user_factors", static_cast<std::uint64_t>(users),
                                                            static_cast<std::uint64_t>(factors),
                                                            user_factors));
    cinerec::ml::AddHybridArtefacts(p, bundle);
    bundle.parameters() = {{"synthetic", true},     {"users", users},         {"movies", movies},
                           {"factors", factors},    {"neighbors", neighbors}, {"item_k", item_k},
                           {"content", !no_content}};

    const auto config = cinerec::Config::Load("");
    auto stores = cinerec::Stores::Connect(config);
    cinerec::modelstore::ModelStore store(*stores.s3);
    store.Upload(bundle);
    store.Publish(bundle.version());
    std::uint64_t bytes = 0;
    for (const auto& [name, artefact] : bundle.artefacts())
      bytes += artefact.Encoded().size();
    std::cout << fmt::format(
        "published synthetic model {}: {} users x {} movies x {} factors, {:.1f} MB of artefacts\n",
        bundle.version(), users, movies, factors, static_cast<double>(bytes) / 1e6);
  } catch (const std::exception& e) {
    std::cerr << "rec_model_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
