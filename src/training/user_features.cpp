#include "training/user_features.h"

#include <algorithm>
#include <stdexcept>

namespace cinerec::training {

UserProfileBuilder::UserProfileBuilder(
    std::size_t genre_count, std::unordered_map<std::int64_t, std::vector<std::int32_t>> movie_genres)
    : genre_count_(genre_count), movie_genres_(std::move(movie_genres)) {}

void UserProfileBuilder::Add(const PairActivity& pair) {
  auto [it, inserted] = users_.try_emplace(pair.user_id);
  auto& acc = it->second;
  auto& p = acc.profile;
  if (inserted) {
    p.user_id = pair.user_id;
    p.first_ms = pair.first_ms;
    p.last_ms = pair.last_ms;
    acc.genre_positives.assign(genre_count_, 0);
  }
  ++p.movies;
  p.views += pair.views;
  p.completed_views += pair.completed_views;
  p.likes += pair.reaction > 0 ? 1 : 0;
  p.dislikes += pair.reaction < 0 ? 1 : 0;
  p.first_ms = std::min(p.first_ms, pair.first_ms);
  p.last_ms = std::max(p.last_ms, pair.last_ms);
  const bool positive = pair.reaction > 0 || (pair.completed_views > 0 && pair.reaction == 0);
  if (!positive) return;
  ++p.positive_movies;
  const auto genres = movie_genres_.find(pair.movie_id);
  if (genres == movie_genres_.end()) return;
  for (const std::int32_t g : genres->second) {
    if (g < 0 || static_cast<std::size_t>(g) >= genre_count_)
      throw std::invalid_argument("movie " + std::to_string(pair.movie_id) + " has genre index "
                                  + std::to_string(g) + " out of range");
    ++acc.genre_positives[static_cast<std::size_t>(g)];
  }
}

std::vector<UserProfile> UserProfileBuilder::Finish() {
  std::vector<UserProfile> out;
  out.reserve(users_.size());
  for (auto& [id, acc] : users_) {
    auto& p = acc.profile;
    p.genre_affinity.assign(genre_count_, 0.0f);
    if (p.positive_movies > 0) {
      for (std::size_t g = 0; g < genre_count_; ++g)
        p.genre_affinity[g] = static_cast<float>(static_cast<double>(acc.genre_positives[g])
                                                 / static_cast<double>(p.positive_movies));
    }
    out.push_back(std::move(p));
  }
  users_.clear();
  std::sort(out.begin(), out.end(),
            [](const UserProfile& a, const UserProfile& b) { return a.user_id < b.user_id; });
  return out;
}

double DaysSince(std::int64_t last_ms, std::int64_t as_of_ms) {
  constexpr double kMsPerDay = 86400000.0;
  return last_ms >= as_of_ms ? 0.0 : static_cast<double>(as_of_ms - last_ms) / kMsPerDay;
}

UserFactorIndex::UserFactorIndex(std::span<const std::int64_t> user_ids, std::span<const float> factors,
                                 std::size_t k)
    : factors_(factors), k_(k) {
  if (factors.size() != user_ids.size() * k)
    throw std::invalid_argument("user factors: " + std::to_string(factors.size()) + " values for "
                                + std::to_string(user_ids.size()) + " users x " + std::to_string(k));
  rows_.reserve(user_ids.size());
  for (std::size_t r = 0; r < user_ids.size(); ++r)
    rows_.emplace(user_ids[r], r);
}

std::span<const float> UserFactorIndex::Find(std::int64_t user_id) const {
  const auto it = rows_.find(user_id);
  if (it == rows_.end()) return {};
  return factors_.subspan(it->second * k_, k_);
}

}  // namespace cinerec::training
