#pragma once
// Helpers for the recommendation end-to-end tests: a small hybrid model over movies with two clear taste
// groups, uploaded and published to the test stack's S3 like `cinerec train` does, and one-line SQL seeding
// of users, views and reactions (faster than events when a test needs many users).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "integration/collect_test_support.h"
#include "ml/content_model.h"
#include "ml/hybrid_model.h"
#include "ml/hybrid_model_bundle.h"
#include "ml/hybrid_parts.h"
#include "modelstore/manifest.h"
#include "modelstore/model_bundle.h"
#include "modelstore/model_store.h"
#include "storage/s3/s3_object_store.h"

namespace cinerec::testing {

struct ModelMovie {
  std::int64_t id = 0;
  std::string title;
  std::vector<std::string> genres;
  std::vector<float> factors;  // 2 floats: (sci-fi taste, drama taste)
  float popularity = 1;
};

inline Config RecommendTestConfig() {
  auto config = CollectTestConfig();
  config.recommend.model_poll = std::chrono::milliseconds(200);
  return config;
}

// A hybrid model over `movies` (ALS factors as given, neighbours by cosine, a content model fitted on the
// factors), uploaded to S3 but not published. Returns the version.
inline std::string UploadModel(const Config& config, const std::vector<ModelMovie>& movies,
                               std::string version = modelstore::NewVersionId()) {
  ml::HybridModel::Parts parts;
  parts.version = version;
  parts.factors = 2;
  std::vector<std::int64_t> ids;
  for (const auto& m : movies) {
    ids.push_back(m.id);
    parts.item_factors.insert(parts.item_factors.end(), m.factors.begin(), m.factors.end());
    parts.popularity.push_back(m.popularity);
    for (const auto& g : m.genres)
      if (std::find(parts.genre_names.begin(), parts.genre_names.end(), g) == parts.genre_names.end())
        parts.genre_names.push_back(g);
  }
  parts.items = ml::IdMap(ids);
  for (const auto& m : movies) {
    std::vector<std::int32_t> genres;
    for (const auto& g : m.genres)
      genres.push_back(static_cast<std::int32_t>(
          std::find(parts.genre_names.begin(), parts.genre_names.end(), g) - parts.genre_names.begin()));
    parts.item_genres.push_back(genres);
  }
  // Neighbours: the 3 most cosine-similar movies.
  parts.neighbor_k = 3;
  auto cosine = [&](std::size_t a, std::size_t b) {
    const auto& x = movies[a].factors;
    const auto& y = movies[b].factors;
    const float dot = x[0] * y[0] + x[1] * y[1];
    return dot / (std::hypot(x[0], x[1]) * std::hypot(y[0], y[1]) + 1e-6f);
  };
  for (std::size_t i = 0; i < movies.size(); ++i) {
    std::vector<std::size_t> others;
    for (std::size_t j = 0; j < movies.size(); ++j)
      if (j != i) others.push_back(j);
    std::sort(others.begin(), others.end(), [&](std::size_t a, std::size_t b) {
      return cosine(i, a) != cosine(i, b) ? cosine(i, a) > cosine(i, b) : a < b;
    });
    for (int k = 0; k < parts.neighbor_k; ++k) {
      const bool has = static_cast<std::size_t>(k) < others.size();
      parts.neighbor_ids.push_back(has ? static_cast<std::int32_t>(others[static_cast<std::size_t>(k)]) : -1);
      parts.neighbor_scores.push_back(has ? cosine(i, others[static_cast<std::size_t>(k)]) : 0.0f);
    }
  }
  // The content model: genres and title terms -> the factor space.
  parts.term_buckets = 16;
  parts.year_edges = ml::ContentFeaturizer::DefaultYearEdges();
  const ml::ContentFeaturizer featurizer(parts.genre_names, parts.term_buckets, parts.year_edges);
  std::vector<ml::SparseFeatures> features;
  for (const auto& m : movies)
    features.push_back(featurizer.Features(ml::MovieContent{m.genres, m.title, 0}));
  const std::vector<std::int64_t> interactions(movies.size(), 10);
  parts.content_weights =
      ml::FitContentMapping(features, parts.item_factors, interactions, featurizer.features(), parts.factors,
                            ml::ContentFitOptions{0.1f, 1});
  for (const auto& f : features) {
    const auto c = ml::EmbedFeatures(f, parts.content_weights, parts.factors);
    parts.content_vectors.insert(parts.content_vectors.end(), c.begin(), c.end());
  }
  parts.weights = {1.0f, 0.0f, 0.05f, 0.2f, 0.5f};

  modelstore::ModelBundle bundle(version, modelstore::VersionCreatedAt(version));
  ml::AddHybridArtefacts(parts, bundle);
  S3ObjectStore s3(config.s3);
  modelstore::ModelStore store(s3);
  store.Upload(bundle);
  return version;
}

// UploadModel, then published as LATEST. Returns the version.
inline std::string PublishModel(const Config& config, const std::vector<ModelMovie>& movies) {
  const auto version = UploadModel(config, movies);
  S3ObjectStore s3(config.s3);
  modelstore::ModelStore(s3).Publish(version);
  return version;
}

// Seeding through SQL.
inline std::int64_t InsertUser(PgPool& pg, const std::string& name, const std::string& profile = "{}",
                               const std::string& plan = "") {
  const auto id =
      pg.Exec("INSERT INTO users (email, display_name, profile) VALUES ($1, $2, $3::jsonb) RETURNING id",
              PgParams(name + "@example.com", name, profile))
          .GetInt(0, 0);
  if (!plan.empty())
    pg.Exec("INSERT INTO subscriptions (user_id, plan, status) VALUES ($1, $2, 'active')",
            PgParams(id, plan));
  return id;
}
inline void InsertFinished(PgPool& pg, std::int64_t user, std::int64_t movie) {
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed)"
      " VALUES ($1, $2, $3, now() - interval '1 hour', now() - interval '1 hour', 6000, true)",
      PgParams(user, movie, fmt::format("seed:{}:{}", user, movie)));
}
inline void InsertReaction(PgPool& pg, std::int64_t user, std::int64_t movie, int value) {
  pg.Exec(
      "INSERT INTO reactions (user_id, movie_id, value, event_time, event_id)"
      " VALUES ($1, $2, $3, now(), gen_random_uuid())",
      PgParams(user, movie, value));
}

}  // namespace cinerec::testing
