#include "ml/content_model.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "ml/hybrid_model.h"

namespace cinerec::ml {
namespace {

constexpr int kMaxTermCount = 3;  // a word repeated in a description says little more after a few times

// FNV-1a: stable across platforms and releases (std::hash is neither), so a model's buckets mean the same
// on every machine that loads it.
std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool IsWordByte(unsigned char c) {
  return std::isalnum(c) || c >= 0x80;
}

void NormalizeBlock(SparseFeatures& f, std::size_t begin) {
  double sum = 0;
  for (std::size_t i = begin; i < f.size(); ++i)
    sum += static_cast<double>(f[i].second) * f[i].second;
  if (sum <= 0) return;
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
  for (std::size_t i = begin; i < f.size(); ++i)
    f[i].second *= scale;
}

}  // namespace

ContentFeaturizer::ContentFeaturizer(std::vector<std::string> genres, int term_buckets,
                                     std::vector<int> year_edges)
    : genres_(std::move(genres)), term_buckets_(term_buckets), year_edges_(std::move(year_edges)) {
  if (term_buckets_ < 0) throw std::invalid_argument("content model: term_buckets must be >= 0");
  if (!std::is_sorted(year_edges_.begin(), year_edges_.end()))
    throw std::invalid_argument("content model: year edges must be ascending");
}

std::vector<int> ContentFeaturizer::DefaultYearEdges() {
  return {1960, 1980, 1990, 2000, 2010, 2015, 2020};
}

int ContentFeaturizer::features() const {
  return static_cast<int>(genres_.size()) + term_buckets_ + static_cast<int>(year_edges_.size()) + 1;
}

int ContentFeaturizer::GenreIndex(std::string_view genre) const {
  const auto it = std::find(genres_.begin(), genres_.end(), genre);
  return it == genres_.end() ? -1 : static_cast<int>(it - genres_.begin());
}

SparseFeatures ContentFeaturizer::GenreFeatures(std::span<const std::string> genres) const {
  SparseFeatures f;
  for (const auto& g : genres) {
    const int index = GenreIndex(g);
    if (index >= 0) f.emplace_back(index, 1.0f);
  }
  std::sort(f.begin(), f.end());
  f.erase(std::unique(f.begin(), f.end()), f.end());
  NormalizeBlock(f, 0);
  return f;
}

SparseFeatures ContentFeaturizer::Features(const MovieContent& movie) const {
  SparseFeatures f = GenreFeatures(movie.genres);
  const auto genre_count = static_cast<std::int32_t>(genres_.size());
  if (term_buckets_ > 0) {
    std::map<std::int32_t, int> counts;  // ordered: the block comes out sorted
    std::string word;
    const auto flush = [&] {
      if (word.size() >= 3)
        counts[genre_count
               + static_cast<std::int32_t>(Fnv1a(word) % static_cast<std::uint64_t>(term_buckets_))]++;
      word.clear();
    };
    for (unsigned char c : movie.text) {
      if (IsWordByte(c))
        word.push_back(static_cast<char>(std::tolower(c)));
      else
        flush();
    }
    flush();
    const std::size_t begin = f.size();
    for (const auto& [index, count] : counts)
      f.emplace_back(index, static_cast<float>(std::min(count, kMaxTermCount)));
    NormalizeBlock(f, begin);
  }
  if (movie.year > 0) {
    const auto bin =
        std::upper_bound(year_edges_.begin(), year_edges_.end(), movie.year) - year_edges_.begin();
    f.emplace_back(genre_count + term_buckets_ + static_cast<std::int32_t>(bin), 1.0f);
  }
  return f;
}

std::vector<float> FitContentMapping(std::span<const SparseFeatures> item_features,
                                     std::span<const float> item_factors,
                                     std::span<const std::int64_t> interactions, int features, int factors,
                                     const ContentFitOptions& options) {
  const auto items = item_features.size();
  if (item_factors.size() != items * static_cast<std::size_t>(factors) || interactions.size() != items)
    throw std::invalid_argument("content model: features, factors and counts of different sizes");
  if (options.regularization <= 0) throw std::invalid_argument("content model: regularization must be > 0");
  // Normal equations (F^T F + lambda I) W = F^T Y in double: F is small (genres + buckets + year bins) and
  // the sums run over every movie, so accumulating in float would lose the rare features.
  Eigen::MatrixXd gram = Eigen::MatrixXd::Identity(features, features) * options.regularization;
  Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(features, factors);
  for (std::size_t i = 0; i < items; ++i) {
    if (interactions[i] < options.min_interactions) continue;
    const float* y = item_factors.data() + i * static_cast<std::size_t>(factors);
    for (const auto& [a, va] : item_features[i]) {
      if (a < 0 || a >= features) throw std::invalid_argument("content model: feature index out of range");
      for (const auto& [b, vb] : item_features[i])
        gram(a, b) += static_cast<double>(va) * vb;
      for (int k = 0; k < factors; ++k)
        rhs(a, k) += static_cast<double>(va) * y[k];
    }
  }
  const Eigen::MatrixXd w = gram.llt().solve(rhs);
  std::vector<float> out(static_cast<std::size_t>(features) * static_cast<std::size_t>(factors));
  for (int a = 0; a < features; ++a)
    for (int k = 0; k < factors; ++k)
      out[static_cast<std::size_t>(a) * static_cast<std::size_t>(factors) + static_cast<std::size_t>(k)] =
          static_cast<float>(w(a, k));
  return out;
}

std::vector<float> EmbedFeatures(const SparseFeatures& features, std::span<const float> weights,
                                 int factors) {
  std::vector<float> v(static_cast<std::size_t>(factors), 0.0f);
  const std::size_t rows = weights.size() / static_cast<std::size_t>(std::max(factors, 1));
  for (const auto& [index, value] : features) {
    if (index < 0 || static_cast<std::size_t>(index) >= rows) continue;
    const float* w = weights.data() + static_cast<std::size_t>(index) * static_cast<std::size_t>(factors);
    for (int k = 0; k < factors; ++k)
      v[static_cast<std::size_t>(k)] += value * w[k];
  }
  return v;
}

}  // namespace cinerec::ml
