#pragma once
// What the service reads about a viewer on a cache miss: profile (tier, onboarding genres) and history
// (views, current reactions). HistorySource is the boundary; PgHistorySource reads PostgreSQL in one
// statement, fakes serve the unit tests.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cinerec {
class PgPool;
}

namespace cinerec::recommend {

struct ViewRecord {
  std::int64_t movie_id = 0;
  std::int64_t watched_s = 0;
  bool completed = false;
  std::optional<std::int64_t> duration_s;  // the movie's; nullopt = unknown
  std::int64_t time_ms = 0;                // last_event_at
};

struct ReactionRecord {
  std::int64_t movie_id = 0;
  int value = 0;  // +1 like, -1 dislike (cleared reactions are not read)
  std::int64_t time_ms = 0;
};

struct ViewerHistory {
  bool exists = false;
  std::string tier = "free";                   // effective subscription tier
  std::vector<std::string> onboarding_genres;  // profile.favourite_genres
  std::vector<ViewRecord> views;               // ordered by (movie_id, time_ms)
  std::vector<ReactionRecord> reactions;
};

class HistorySource {
 public:
  virtual ~HistorySource() = default;
  // exists = false for an unknown user. Throws StoreError when the store cannot answer. Thread-safe.
  virtual ViewerHistory Load(std::int64_t user_id) = 0;
};

class PgHistorySource final : public HistorySource {
 public:
  // `max_views`: the most recent watch sessions read (a heavy viewer's older history adds little to the
  // fold-in and would slow every miss). REQUIRES: pool outlives this.
  PgHistorySource(PgPool& pool, std::size_t max_views) : pool_(pool), max_views_(max_views) {}
  ViewerHistory Load(std::int64_t user_id) override;

 private:
  PgPool& pool_;
  std::size_t max_views_;
};

}  // namespace cinerec::recommend
