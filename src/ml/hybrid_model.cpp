#include "ml/hybrid_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "ml/als_solver.h"
#include "ml/hybrid_parts.h"
#include "ml/interaction_matrix.h"

namespace cinerec::ml {
namespace {

std::size_t Size(std::int64_t a, std::int64_t b) {
  return static_cast<std::size_t>(a) * static_cast<std::size_t>(b);
}

bool AllFinite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

void Require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

float Dot(const float* a, const float* b, int k) {
  float s = 0;
  for (int i = 0; i < k; ++i)
    s += a[i] * b[i];
  return s;
}

// Scales a component to max |value| 1 over both spans (a component that is zero everywhere stays zero).
float MaxAbs(std::span<const float> a, std::span<const float> b) {
  float m = 0;
  for (float x : a)
    m = std::max(m, std::abs(x));
  for (float x : b)
    m = std::max(m, std::abs(x));
  return m;
}

constexpr double kAffinityPrior = 1.0;

// Per-thread work arrays of ScoreViewer, reused from request to request: fresh 60,000-float arrays per
// request were fresh pages from the kernel every time (page faults and clearing were ~6 % of a miss).
struct Scratch {
  std::vector<float> als, content, als_extra, content_extra, extra_part;
  std::vector<float> part;            // all zeros between calls (the item component zeroes what it used)
  std::vector<std::int32_t> touched;  // the rows the item component wrote

  void Size(std::size_t items, std::size_t extra) {
    for (auto* v : {&als, &content})
      if (v->size() != items) v->resize(items);
    if (part.size() != items) part.assign(items, 0.0f);
    for (auto* v : {&als_extra, &content_extra, &extra_part})
      if (v->size() != extra) v->resize(extra);
  }
};

Scratch& ThreadScratch(std::size_t items, std::size_t extra) {
  thread_local Scratch scratch;
  scratch.Size(items, extra);
  return scratch;
}

}  // namespace

// Where FactorComponents writes: spans of items() and extra.size() floats, or empty to skip that part.
struct HybridModel::FactorParts {
  std::span<float> als, als_extra, content, content_extra;
};

const char* ToString(ScoreSource source) {
  switch (source) {
    case ScoreSource::kPersonal:
      return "personal";
    case ScoreSource::kFoldIn:
      return "fold_in";
    case ScoreSource::kContent:
      return "content";
    case ScoreSource::kPopularity:
      return "popular";
  }
  return "popular";
}

struct HybridModel::ViewerState {
  std::vector<Interaction> history;  // combined, items in range
  std::vector<float> taste;          // x (empty = none)
  std::vector<float> profile;        // z (empty = none)
  std::vector<float> affinity;       // a per genre (empty = none)
};

HybridModel::~HybridModel() = default;

HybridModel::HybridModel(Parts p)
    : version_(std::move(p.version)),
      users_(std::move(p.users)),
      items_(std::move(p.items)),
      factors_(p.factors),
      weights_(p.weights),
      regularization_(p.regularization),
      alpha_(p.alpha),
      item_factors_(std::move(p.item_factors)),
      neighbor_k_(p.neighbor_k),
      neighbor_ids_(std::move(p.neighbor_ids)),
      neighbor_scores_(std::move(p.neighbor_scores)),
      item_k_(p.item_k),
      item_weight_ids_(std::move(p.item_weight_ids)),
      item_weights_(std::move(p.item_weights)),
      popularity_(std::move(p.popularity)),
      genre_names_(std::move(p.genre_names)),
      item_genres_(std::move(p.item_genres)),
      content_weights_(std::move(p.content_weights)),
      content_vectors_(std::move(p.content_vectors)) {
  const std::int64_t n = items_.size();
  Require(n > 0, "the model has no movies");
  Require(factors_ > 0 && factors_ <= 4096, "factors must be in 1..4096");
  Require(item_factors_.size() == Size(n, factors_), "item_factors is not movies x factors");
  Require(AllFinite(item_factors_), "item_factors holds a value that is not finite");
  Require(regularization_ >= 0 && alpha_ >= 0 && std::isfinite(regularization_) && std::isfinite(alpha_),
          "regularization and alpha must be finite and >= 0");
  Require(neighbor_k_ >= 0 && neighbor_ids_.size() == Size(n, neighbor_k_)
              && neighbor_scores_.size() == neighbor_ids_.size(),
          "neighbours are not movies x K");
  Require(item_k_ >= 0 && item_weight_ids_.size() == Size(n, item_k_)
              && item_weights_.size() == item_weight_ids_.size(),
          "item weights are not movies x K");
  for (auto id : neighbor_ids_)
    Require(id >= -1 && id < n, "a neighbour id is out of range");
  for (auto id : item_weight_ids_)
    Require(id >= -1 && id < n, "an item-weight id is out of range");
  Require(AllFinite(neighbor_scores_) && AllFinite(item_weights_), "neighbour or item weights not finite");
  Require(popularity_.size() == static_cast<std::size_t>(n) && AllFinite(popularity_),
          "popularity is not one finite value per movie");
  Require(item_genres_.size() == static_cast<std::size_t>(n), "movie genres are not one list per movie");
  const auto genres = static_cast<std::int32_t>(genre_names_.size());
  item_genre_names_.resize(item_genres_.size());
  for (std::size_t i = 0; i < item_genres_.size(); ++i)
    for (auto g : item_genres_[i]) {
      Require(g >= 0 && g < genres, "a movie's genre index is out of range");
      item_genre_names_[i].push_back(genre_names_[static_cast<std::size_t>(g)]);
    }
  const BlendWeights& w = weights_;
  for (float x : {w.als, w.item, w.popularity, w.genre, w.content})
    Require(std::isfinite(x), "a blend weight is not finite");
  if (!content_weights_.empty()) {
    featurizer_ = std::make_unique<ContentFeaturizer>(genre_names_, p.term_buckets, p.year_edges);
    Require(content_weights_.size() == Size(featurizer_->features(), factors_),
            "content_weights is not features x factors");
    Require(content_vectors_.size() == item_factors_.size(), "content_vectors is not movies x factors");
    Require(AllFinite(content_weights_) && AllFinite(content_vectors_),
            "content model holds a non-finite value");
  } else {
    Require(content_vectors_.empty(), "content_vectors without a content model");
    weights_.content = 0;
  }
  if (item_k_ == 0) weights_.item = 0;
  gram_ = Gram(item_factors_.data(), n, factors_);
  serving_factors_ = QuantizedFactors(item_factors_, content_vectors_, n, factors_);
  positive_popularity_.resize(popularity_.size());
  for (std::size_t i = 0; i < popularity_.size(); ++i)
    positive_popularity_[i] = std::max(popularity_[i], 0.0f);
  {
    std::map<std::vector<std::int32_t>, std::int32_t> list_index;
    item_genre_list_.resize(item_genres_.size());
    for (std::size_t i = 0; i < item_genres_.size(); ++i) {
      const auto [it, added] =
          list_index.try_emplace(item_genres_[i], static_cast<std::int32_t>(genre_lists_.size()));
      if (added) {
        genre_lists_.push_back(item_genres_[i]);
        genre_list_max_popularity_.push_back(0.0f);
      }
      item_genre_list_[i] = it->second;
      auto& max_pop = genre_list_max_popularity_[static_cast<std::size_t>(it->second)];
      max_pop = std::max(max_pop, positive_popularity_[i]);
    }
  }
  genre_popularity_.assign(genre_names_.size(), 0.0f);
  for (std::size_t i = 0; i < item_genres_.size(); ++i)
    for (auto g : item_genres_[i])
      genre_popularity_[static_cast<std::size_t>(g)] += std::max(popularity_[i], 0.0f);
  std::vector<float> sorted = popularity_;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2),
                   sorted.end());
  median_popularity_ = std::max(sorted[sorted.size() / 2], 0.0f);
  log_popularity_.resize(popularity_.size());
  float max_log = 0;
  for (std::size_t i = 0; i < popularity_.size(); ++i)
    max_log = std::max(max_log, log_popularity_[i] = std::log1p(std::max(popularity_[i], 0.0f)));
  if (max_log > 0)
    for (auto& x : log_popularity_)
      x /= max_log;
  max_log_popularity_ = MaxAbs(log_popularity_, {});
}

ScoreSource HybridModel::Prepare(const ViewerProfile& viewer, ViewerState& s) const {
  const std::int32_t n = items_.size();
  std::vector<Interaction> known;
  for (Interaction x : viewer.history)
    if (x.item >= 0 && x.item < n) {
      x.user = 0;
      known.push_back(x);
    }
  s.history = CombineDuplicates(known);
  const auto k = static_cast<std::size_t>(factors_);
  const std::size_t genres = genre_names_.size();
  if (!s.history.empty()) {
    std::vector<std::int32_t> columns;
    std::vector<float> preference, confidence;
    for (const auto& c : s.history) {
      columns.push_back(c.item);
      preference.push_back(c.preference);
      confidence.push_back(c.confidence);
    }
    s.taste.assign(k, 0.0f);
    const RowSystem system{item_factors_.data(), gram_.data(), factors_, regularization_, alpha_};
    SolveRowExact(system, {columns, preference, confidence}, s.taste.data());
    s.affinity.assign(genres, 0.0f);
    if (featurizer_) s.profile.assign(k, 0.0f);
    // Genre affinities are smoothed towards every genre equally (kAffinityPrior pseudo-movies), so that one
    // watched movie does not rule out the other genres.
    double total = kAffinityPrior;
    for (auto& a : s.affinity)
      a = static_cast<float>(kAffinityPrior / static_cast<double>(std::max<std::size_t>(genres, 1)));
    for (const auto& c : s.history) {
      const auto& g = item_genres_[static_cast<std::size_t>(c.item)];
      for (auto gi : g)
        s.affinity[static_cast<std::size_t>(gi)] += c.preference / static_cast<float>(g.size());
      if (featurizer_) {
        const float* ci = content_vectors_.data() + Size(c.item, factors_);
        for (std::size_t f = 0; f < k; ++f)
          s.profile[f] += c.preference * ci[f];
      }
      total += c.preference;
    }
    for (auto& a : s.affinity)
      a = static_cast<float>(a / total);
    if (total > kAffinityPrior)
      for (auto& z : s.profile)
        z = static_cast<float>(z / (total - kAffinityPrior));
    return users_.Find(viewer.user_id) ? ScoreSource::kPersonal : ScoreSource::kFoldIn;
  }
  std::vector<std::int32_t> chosen;
  for (const auto& name : viewer.onboarding_genres) {
    const auto it = std::find(genre_names_.begin(), genre_names_.end(), name);
    if (it != genre_names_.end()) chosen.push_back(static_cast<std::int32_t>(it - genre_names_.begin()));
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  if (chosen.empty()) return ScoreSource::kPopularity;
  s.affinity.assign(genres, 0.0f);
  for (auto g : chosen)
    s.affinity[static_cast<std::size_t>(g)] = 1.0f / static_cast<float>(chosen.size());
  if (featurizer_) {
    const auto f = featurizer_->GenreFeatures(viewer.onboarding_genres);
    s.profile = EmbedFeatures(f, content_weights_, factors_);
    s.taste = s.profile;
  }
  return ScoreSource::kContent;
}

std::pair<bool, bool> HybridModel::FactorComponents(const ViewerState& s, std::span<const OutsideMovie> extra,
                                                    const FactorParts& out) const {
  const bool als = !out.als.empty() && !s.taste.empty();
  const bool content = !out.content.empty() && !s.profile.empty() && serving_factors_.has_b();
  // One pass over the int8 rows for both products: each miss streams the 7.7 MB once instead of two float
  // matrices of 15 MB each.
  serving_factors_.Score(als ? s.taste.data() : nullptr, als ? out.als.data() : nullptr,
                         content ? s.profile.data() : nullptr, content ? out.content.data() : nullptr);
  // Movies outside the model: their float content vector against the float query.
  for (std::size_t e = 0; e < extra.size(); ++e) {
    if (extra[e].vector.size() != static_cast<std::size_t>(factors_)) continue;
    if (als) out.als_extra[e] = Dot(s.taste.data(), extra[e].vector.data(), factors_);
    if (content) out.content_extra[e] = Dot(s.profile.data(), extra[e].vector.data(), factors_);
  }
  return {als, content};
}

// P(i | viewer) when a viewer picks a genre by taste, then a movie of it by popularity:
// pop_i * sum_{g in genres(i)} a_g / (popularity of genre g). The ratio a_g / pop_g per genre:
std::vector<float> HybridModel::GenreRatios(const ViewerState& s) const {
  std::vector<float> ratio(s.affinity.size(), 0.0f);
  for (std::size_t g = 0; g < ratio.size() && g < genre_popularity_.size(); ++g)
    if (genre_popularity_[g] > 0) ratio[g] = s.affinity[g] / genre_popularity_[g];
  return ratio;
}

float HybridModel::GenreScore(std::span<const std::int32_t> genres, float popularity,
                              std::span<const float> ratio) const {
  float sum = 0;
  for (auto g : genres)
    if (g >= 0 && static_cast<std::size_t>(g) < ratio.size()) sum += ratio[static_cast<std::size_t>(g)];
  return popularity * sum;
}

std::vector<float> HybridModel::GenreListSums(const ViewerState& s) const {
  const auto ratio = GenreRatios(s);
  std::vector<float> sums(genre_lists_.size());
  for (std::size_t l = 0; l < genre_lists_.size(); ++l)
    sums[l] = GenreScore(genre_lists_[l], 1.0f, ratio);
  return sums;
}

bool HybridModel::Component(int c, const ViewerState& s, std::span<const OutsideMovie> extra,
                            std::span<float> part, std::span<float> extra_part) const {
  const std::int32_t n = items_.size();
  switch (c) {
    case 1:  // item
      if (item_k_ == 0 || s.history.empty()) return false;
      for (const auto& cell : s.history) {
        const std::size_t row = Size(cell.item, item_k_);
        for (std::size_t j = 0; j < static_cast<std::size_t>(item_k_); ++j) {
          const auto target = item_weight_ids_[row + j];
          if (target >= 0) part[static_cast<std::size_t>(target)] += cell.preference * item_weights_[row + j];
        }
      }
      return true;
    case 2:  // popularity
      std::copy(log_popularity_.begin(), log_popularity_.end(), part.begin());
      return true;
    case 3: {  // genre: popularity within the viewer's genres
      if (s.affinity.empty()) return false;
      const auto sums = GenreListSums(s);
      for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i)
        part[i] = positive_popularity_[i] * sums[static_cast<std::size_t>(item_genre_list_[i])];
      // A movie outside the model has no popularity yet: it counts as the median movie of its genres.
      const auto ratio = GenreRatios(s);
      for (std::size_t e = 0; e < extra.size(); ++e)
        extra_part[e] = GenreScore(extra[e].genres, median_popularity_, ratio);
      return true;
    }
    default:
      return false;
  }
}

ScoreSource HybridModel::ScoreViewer(const ViewerProfile& viewer, std::span<float> scores,
                                     std::span<const OutsideMovie> extra,
                                     std::span<float> extra_scores) const {
  if (scores.size() != static_cast<std::size_t>(items_.size()) || extra_scores.size() != extra.size())
    throw std::invalid_argument("ScoreViewer: score spans of the wrong size");
  ViewerState s;
  const ScoreSource source = Prepare(viewer, s);
  std::fill(extra_scores.begin(), extra_scores.end(), 0.0f);
  if (source == ScoreSource::kPopularity) {
    std::copy(log_popularity_.begin(), log_popularity_.end(), scores.begin());
    return source;
  }
  std::fill(scores.begin(), scores.end(), 0.0f);
  const float weights[kComponents] = {weights_.als, weights_.item, weights_.popularity, weights_.genre,
                                      weights_.content};
  Scratch& scratch = ThreadScratch(scores.size(), extra.size());
  FactorParts factor_parts;
  std::fill(scratch.als_extra.begin(), scratch.als_extra.end(), 0.0f);
  std::fill(scratch.content_extra.begin(), scratch.content_extra.end(), 0.0f);
  if (weights[0] != 0) {
    factor_parts.als = scratch.als;
    factor_parts.als_extra = scratch.als_extra;
  }
  if (weights[4] != 0) {
    factor_parts.content = scratch.content;
    factor_parts.content_extra = scratch.content_extra;
  }
  const auto [has_als, has_content] = FactorComponents(s, extra, factor_parts);

  // Each component's scale (weight / max |component|, 0 when absent), then one pass over the catalogue for
  // the dense components and one over the few cells of the sparse item component: the same sum as adding
  // the scaled components one by one, without a pass per component.
  const auto scale_of = [](float weight, float max_abs) { return max_abs > 0 ? weight / max_abs : 0.0f; };
  const float als = has_als ? scale_of(weights[0], MaxAbs(scratch.als, scratch.als_extra)) : 0.0f;
  const float content =
      has_content ? scale_of(weights[4], MaxAbs(scratch.content, scratch.content_extra)) : 0.0f;
  const float popularity = scale_of(weights[2], max_log_popularity_);
  float genre = 0;
  std::vector<float> list_sums;
  std::fill(scratch.extra_part.begin(), scratch.extra_part.end(), 0.0f);
  if (weights[3] != 0 && !s.affinity.empty()) {
    list_sums = GenreListSums(s);
    // max_i pop_i * sum(list_i) is, per list, its most popular movie's: no pass over the catalogue.
    float max_abs = 0;
    for (std::size_t l = 0; l < list_sums.size(); ++l)
      max_abs = std::max(max_abs, genre_list_max_popularity_[l] * std::abs(list_sums[l]));
    const auto ratio = GenreRatios(s);
    for (std::size_t e = 0; e < extra.size(); ++e) {
      scratch.extra_part[e] = GenreScore(extra[e].genres, median_popularity_, ratio);
      max_abs = std::max(max_abs, std::abs(scratch.extra_part[e]));
    }
    genre = scale_of(weights[3], max_abs);
  }
  const std::size_t n = scores.size();
  const float* als_part = scratch.als.data();
  const float* content_part = scratch.content.data();
  for (std::size_t i = 0; i < n; ++i) {
    float score = 0;
    if (als != 0) score += als * als_part[i];
    if (popularity != 0) score += popularity * log_popularity_[i];
    if (genre != 0)
      score += genre * (positive_popularity_[i] * list_sums[static_cast<std::size_t>(item_genre_list_[i])]);
    if (content != 0) score += content * content_part[i];
    scores[i] = score;
  }
  for (std::size_t e = 0; e < extra.size(); ++e)
    extra_scores[e] =
        als * scratch.als_extra[e] + genre * scratch.extra_part[e] + content * scratch.content_extra[e];
  if (weights[1] != 0 && item_k_ > 0 && !s.history.empty()) {
    // The item component touches the rows of the history's item-item weights only (K per cell): summed in
    // scratch.part, which is all zeros between calls, and zeroed again cell by cell.
    auto& touched = scratch.touched;
    touched.clear();
    touched.reserve(s.history.size() * static_cast<std::size_t>(item_k_));  // no throw once part is written
    for (const auto& cell : s.history) {
      const std::size_t row = Size(cell.item, item_k_);
      for (std::size_t j = 0; j < static_cast<std::size_t>(item_k_); ++j) {
        const auto target = item_weight_ids_[row + j];
        if (target < 0) continue;
        scratch.part[static_cast<std::size_t>(target)] += cell.preference * item_weights_[row + j];
        touched.push_back(target);
      }
    }
    float max_abs = 0;
    for (auto t : touched)
      max_abs = std::max(max_abs, std::abs(scratch.part[static_cast<std::size_t>(t)]));
    const float item = scale_of(weights[1], max_abs);
    for (auto t : touched) {
      auto& value = scratch.part[static_cast<std::size_t>(t)];
      scores[static_cast<std::size_t>(t)] += item * value;  // once per target: value is 0 after the first
      value = 0;
    }
  }
  return source;
}

ScoreSource HybridModel::ComponentScores(const ViewerProfile& viewer, std::span<float> out) const {
  const auto n = static_cast<std::size_t>(items_.size());
  if (out.size() != n * kComponents) throw std::invalid_argument("ComponentScores: span of the wrong size");
  std::fill(out.begin(), out.end(), 0.0f);
  ViewerState s;
  const ScoreSource source = Prepare(viewer, s);
  FactorParts factor_parts;
  factor_parts.als = out.subspan(0, n);
  factor_parts.content = out.subspan(4 * n, n);
  const auto [has_als, has_content] = FactorComponents(s, {}, factor_parts);
  for (int c = 0; c < kComponents; ++c) {
    const auto part = out.subspan(static_cast<std::size_t>(c) * n, n);
    const bool present = c == 0 ? has_als : c == 4 ? has_content : Component(c, s, {}, part, {});
    if (!present) continue;
    const float m = MaxAbs(part, {});
    if (m <= 0) continue;
    for (auto& x : part)
      x /= m;
  }
  return source;
}

void HybridModel::Score(std::int32_t, std::span<const Interaction> history, std::span<float> scores) const {
  ViewerProfile viewer;
  viewer.user_id = -1;
  viewer.history.assign(history.begin(), history.end());
  ScoreViewer(viewer, scores);
}

OutsideMovie HybridModel::PrepareOutsideMovie(const MovieContent& movie) const {
  OutsideMovie out;
  for (const auto& name : movie.genres) {
    const auto it = std::find(genre_names_.begin(), genre_names_.end(), name);
    if (it != genre_names_.end()) out.genres.push_back(static_cast<std::int32_t>(it - genre_names_.begin()));
  }
  if (featurizer_)
    out.vector = EmbedFeatures(featurizer_->Features(movie), content_weights_, factors_);
  else
    out.vector.assign(static_cast<std::size_t>(factors_), 0.0f);
  return out;
}

std::span<const std::int32_t> HybridModel::NeighborIds(std::int32_t item) const {
  if (item < 0 || item >= items_.size()) return {};
  return {neighbor_ids_.data() + Size(item, neighbor_k_), static_cast<std::size_t>(neighbor_k_)};
}

std::span<const float> HybridModel::NeighborScores(std::int32_t item) const {
  if (item < 0 || item >= items_.size()) return {};
  return {neighbor_scores_.data() + Size(item, neighbor_k_), static_cast<std::size_t>(neighbor_k_)};
}

std::span<const float> HybridModel::ItemVector(std::int32_t item) const {
  if (item < 0 || item >= items_.size()) return {};
  return {item_factors_.data() + Size(item, factors_), static_cast<std::size_t>(factors_)};
}

std::span<const std::string> HybridModel::Genres(std::int32_t item) const {
  if (item < 0 || item >= items_.size()) return {};
  return item_genre_names_[static_cast<std::size_t>(item)];
}

std::size_t HybridModel::MemoryBytes() const {
  std::size_t bytes = sizeof(*this);
  bytes += (item_factors_.size() + gram_.size() + neighbor_scores_.size() + item_weights_.size()
            + popularity_.size() + log_popularity_.size() + content_weights_.size() + content_vectors_.size())
           * sizeof(float);
  bytes += (neighbor_ids_.size() + item_weight_ids_.size() + item_genre_list_.size()) * sizeof(std::int32_t);
  bytes += serving_factors_.MemoryBytes() + positive_popularity_.size() * sizeof(float);
  bytes += static_cast<std::size_t>(users_.size() + items_.size()) * (sizeof(std::int64_t) * 3);
  for (const auto& g : item_genres_)
    bytes += g.size() * sizeof(std::int32_t) + sizeof(g);
  for (const auto& g : item_genre_names_)
    bytes += g.size() * sizeof(std::string) + sizeof(g);
  return bytes;
}

}  // namespace cinerec::ml
