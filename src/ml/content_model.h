#pragma once
// The content model: what a movie's genres, description terms and year say about it, in two forms.
//
//  - Features: a sparse vector per movie — one block per kind, each block L2-normalised so that no kind
//    drowns the others: genres (one-hot over the training vocabulary), text terms (lower-cased words of
//    3+ letters, hashed into `term_buckets` buckets, term counts capped; hashing keeps the model a fixed
//    size whatever the vocabulary), and the year (one-hot over bins).
//  - A ridge regression W (features x factors) from those features to the ALS item factors of movies with
//    enough history: f_i W is a movie's position in the factor space, available for a movie nobody has
//    watched yet, and f(genres) W is the taste of a new viewer who only chose onboarding genres.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cinerec::ml {

struct MovieContent;

// (feature index, value), ascending by index, each index once.
using SparseFeatures = std::vector<std::pair<std::int32_t, float>>;

class ContentFeaturizer {
 public:
  ContentFeaturizer() = default;
  // `genres`: the genre vocabulary (unknown genres are ignored); `year_edges` ascending: bin b holds the
  // years in [edges[b-1], edges[b]) (bin 0 below the first edge, the last bin from the last edge on).
  ContentFeaturizer(std::vector<std::string> genres, int term_buckets, std::vector<int> year_edges);

  static std::vector<int> DefaultYearEdges();
  static constexpr int kDefaultTermBuckets = 1024;

  const std::vector<std::string>& genres() const { return genres_; }
  int term_buckets() const { return term_buckets_; }
  const std::vector<int>& year_edges() const { return year_edges_; }
  int features() const;
  // -1 when the genre is not in the vocabulary (exact, case-sensitive match as stored in the catalogue).
  int GenreIndex(std::string_view genre) const;

  SparseFeatures Features(const MovieContent& movie) const;
  // Only the genre block (a viewer's onboarding genres).
  SparseFeatures GenreFeatures(std::span<const std::string> genres) const;

 private:
  std::vector<std::string> genres_;
  int term_buckets_ = 0;
  std::vector<int> year_edges_;
};

struct ContentFitOptions {
  float regularization = 1.0f;  // ridge lambda
  int min_interactions = 3;     // movies with fewer cells do not teach the mapping (their factors are noise)
};

// W (features x factors, row-major) minimising sum_i |f_i W - y_i|^2 + lambda |W|^2 over the movies with
// `interactions[i] >= min_interactions`. `item_factors` is items x factors (row-major). Deterministic.
std::vector<float> FitContentMapping(std::span<const SparseFeatures> item_features,
                                     std::span<const float> item_factors,
                                     std::span<const std::int64_t> interactions, int features, int factors,
                                     const ContentFitOptions& options);

// f W for one sparse feature vector (factors floats).
std::vector<float> EmbedFeatures(const SparseFeatures& features, std::span<const float> weights, int factors);

}  // namespace cinerec::ml
