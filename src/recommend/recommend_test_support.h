#pragma once
// Unit-test helpers of the recommendation service: a small hand-made ServingModel whose scores are easy to
// reason about, and a catalogue snapshot builder. Only *_test.cpp files include this.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "catalog/movie_directory.h"
#include "recommend/serving_model.h"

namespace cinerec::recommend::testing {

struct FakeItem {
  std::int64_t id = 0;
  std::vector<float> factors;  // the item's taste coordinates
  float popularity = 0;
  std::vector<std::string> genres;
  std::vector<std::int64_t> neighbours;  // similar movie ids, best first
};

// Scores like the hybrid model in spirit: a viewer with positive history gets x = the mean factor vector
// of their liked items and score = x . y_i (personal when the user is in `known_users`, fold-in
// otherwise); a viewer with only onboarding genres scores 1 per shared genre (content); nobody -> the
// popularity. Movies outside the model get x . (their genres' mean item vector) when the viewer has a taste.
class FakeModel final : public ServingModel {
 public:
  FakeModel(std::string version, std::vector<FakeItem> items, std::vector<std::int64_t> known_users = {})
      : version_(std::move(version)), items_(std::move(items)), known_users_(std::move(known_users)) {
    std::vector<std::int64_t> ids;
    for (const auto& item : items_) {
      ids.push_back(item.id);
      popularity_.push_back(item.popularity);
    }
    ids_ = ml::IdMap(ids);
    for (const auto& item : items_) {
      std::vector<std::int32_t> rows;
      std::vector<float> scores;
      for (std::size_t k = 0; k < item.neighbours.size(); ++k) {
        rows.push_back(*ids_.Find(item.neighbours[k]));
        scores.push_back(1.0f - 0.1f * static_cast<float>(k));
      }
      neighbour_rows_.push_back(rows);
      neighbour_scores_.push_back(scores);
    }
  }

  const std::string& version() const override { return version_; }
  const ml::IdMap& item_ids() const override { return ids_; }

  ml::ScoreSource ScoreViewer(const ml::ViewerProfile& viewer, std::span<float> scores,
                              std::span<const ml::OutsideMovie> extra,
                              std::span<float> extra_scores) const override {
    std::vector<float> taste;
    for (const auto& cell : viewer.history) {
      if (cell.preference < 0.5f) continue;
      const auto& y = items_[static_cast<std::size_t>(cell.item)].factors;
      if (taste.empty()) taste.assign(y.size(), 0.0f);
      for (std::size_t f = 0; f < y.size(); ++f)
        taste[f] += y[f];
    }
    if (!taste.empty()) {
      for (std::size_t i = 0; i < items_.size(); ++i)
        scores[i] = Dot(taste, items_[i].factors);
      for (std::size_t i = 0; i < extra.size(); ++i)
        extra_scores[i] = Dot(taste, extra[i].vector);
      const bool known =
          std::find(known_users_.begin(), known_users_.end(), viewer.user_id) != known_users_.end();
      return known ? ml::ScoreSource::kPersonal : ml::ScoreSource::kFoldIn;
    }
    if (!viewer.onboarding_genres.empty()) {
      for (std::size_t i = 0; i < items_.size(); ++i)
        scores[i] = Shared(items_[i].genres, viewer.onboarding_genres) + 0.001f * items_[i].popularity;
      for (std::size_t i = 0; i < extra.size(); ++i)
        extra_scores[i] = static_cast<float>(extra[i].genres.size());  // genres shared with the viewer's
      return ml::ScoreSource::kContent;
    }
    for (std::size_t i = 0; i < items_.size(); ++i)
      scores[i] = items_[i].popularity;
    return ml::ScoreSource::kPopularity;
  }

  // The vector: the mean factors of the model's items sharing a genre; `genres` carries the movie's genre
  // count (what the content scorer above reads).
  ml::OutsideMovie PrepareOutsideMovie(const ml::MovieContent& movie) const override {
    ml::OutsideMovie out;
    int count = 0;
    for (const auto& item : items_) {
      if (Shared(item.genres, movie.genres) == 0) continue;
      if (out.vector.empty()) out.vector.assign(item.factors.size(), 0.0f);
      for (std::size_t f = 0; f < item.factors.size(); ++f)
        out.vector[f] += item.factors[f];
      ++count;
    }
    for (auto& v : out.vector)
      v /= static_cast<float>(std::max(count, 1));
    if (out.vector.empty() && !items_.empty()) out.vector.assign(items_.front().factors.size(), 0.0f);
    for (std::size_t g = 0; g < movie.genres.size(); ++g)
      out.genres.push_back(static_cast<std::int32_t>(g));
    return out;
  }

  std::span<const std::int32_t> NeighborIds(std::int32_t item) const override {
    return neighbour_rows_[static_cast<std::size_t>(item)];
  }
  std::span<const float> NeighborScores(std::int32_t item) const override {
    return neighbour_scores_[static_cast<std::size_t>(item)];
  }
  std::span<const float> popularity() const override { return popularity_; }
  std::size_t MemoryBytes() const override { return items_.size() * 64; }

 private:
  static float Dot(const std::vector<float>& a, const std::vector<float>& b) {
    float sum = 0;
    for (std::size_t f = 0; f < std::min(a.size(), b.size()); ++f)
      sum += a[f] * b[f];
    return sum;
  }
  static float Shared(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    float shared = 0;
    for (const auto& g : a)
      if (std::find(b.begin(), b.end(), g) != b.end()) shared += 1;
    return shared;
  }

  std::string version_;
  std::vector<FakeItem> items_;
  std::vector<std::int64_t> known_users_;
  ml::IdMap ids_;
  std::vector<float> popularity_;
  std::vector<std::vector<std::int32_t>> neighbour_rows_;
  std::vector<std::vector<float>> neighbour_scores_;
};

inline catalog::MovieInfo Movie(std::int64_t id, std::vector<std::string> genres, std::uint8_t tiers = 7,
                                bool deleted = false) {
  catalog::MovieInfo movie;
  movie.id = id;
  movie.title = "Movie " + std::to_string(id);
  std::sort(genres.begin(), genres.end());
  movie.genres = std::move(genres);
  movie.tiers = tiers;
  movie.deleted = deleted;
  return movie;
}

}  // namespace cinerec::recommend::testing
