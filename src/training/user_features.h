#pragma once
// Per-user profiles for ML tools (docs/training.md, "User features"): what each user did (activity counts,
// recency), which genres they like (genre affinities) and where the trained model puts them (the ALS factor
// vector). Pure computation over per-(user, movie) activity rows; reading them from PostgreSQL is
// training/pg_user_activity_reader.h, writing the profiles to S3 training/feature_writer.h.
//
// Definitions (the schema file repeats them for readers):
//   movies           distinct movies with any view or reaction
//   views            watch sessions; completed_views those completed (flag, or share >= completed_share)
//   likes, dislikes  current reactions (+1 / -1)
//   positive_movies  movies the user liked, or completed at least once and did not dislike
//   genre_affinity   per genre (in the order of `genres`): share of the positive movies having that genre
//                    (a movie with several genres counts for each, so the shares may add up to more than 1;
//                    all 0 when the user has no positive movie)
//   first_ms/last_ms earliest / latest event time of any view (started_at / last_event_at) or reaction
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace cinerec::training {

// What one user did with one movie, already aggregated (one row per pair).
struct PairActivity {
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;
  std::int32_t views = 0;            // sessions
  std::int32_t completed_views = 0;  // of which completed
  std::int32_t reaction = 0;         // +1 like, -1 dislike, 0 none
  std::int64_t first_ms = 0;         // Unix milliseconds
  std::int64_t last_ms = 0;
};

struct UserProfile {
  std::int64_t user_id = 0;
  std::int64_t movies = 0;
  std::int64_t views = 0;
  std::int64_t completed_views = 0;
  std::int64_t likes = 0;
  std::int64_t dislikes = 0;
  std::int64_t positive_movies = 0;
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  std::vector<float> genre_affinity;  // one share per genre of the builder's genre list
};

// Accumulates pair rows (in any order, each (user, movie) pair at most once) into profiles.
// Not thread-safe.
class UserProfileBuilder {
 public:
  // `genre_count` genres, indexed 0..genre_count-1; `movie_genres` maps a movie id to its genre indices
  // (a movie absent from the map has no genre).
  UserProfileBuilder(std::size_t genre_count,
                     std::unordered_map<std::int64_t, std::vector<std::int32_t>> movie_genres);

  // Throws std::invalid_argument on a genre index out of range (found when the movie is first used).
  void Add(const PairActivity& pair);
  // The profiles sorted by user id; the builder is empty afterwards.
  std::vector<UserProfile> Finish();

 private:
  struct Accumulator {
    UserProfile profile;
    std::vector<std::int64_t> genre_positives;
  };
  std::size_t genre_count_;
  std::unordered_map<std::int64_t, std::vector<std::int32_t>> movie_genres_;
  std::unordered_map<std::int64_t, Accumulator> users_;
};

// Days from `last_ms` to `as_of_ms` (0 when the interaction is later than as_of).
double DaysSince(std::int64_t last_ms, std::int64_t as_of_ms);

// The model's factor vectors by user id: row r of `factors` (rows x k, row-major) belongs to user_ids[r].
class UserFactorIndex {
 public:
  // REQUIRES: factors.size() == user_ids.size() * k (throws std::invalid_argument otherwise).
  UserFactorIndex(std::span<const std::int64_t> user_ids, std::span<const float> factors, std::size_t k);
  // The user's vector, empty when the model does not know the user.
  std::span<const float> Find(std::int64_t user_id) const;
  std::size_t factors() const { return k_; }

 private:
  std::span<const float> factors_;
  std::size_t k_;
  std::unordered_map<std::int64_t, std::size_t> rows_;
};

}  // namespace cinerec::training
