#pragma once
// Reads what each user did from PostgreSQL for the user features (training/user_features.h): the genre
// vocabulary, each movie's genres, and one aggregated row per (user, movie) from `views` and `reactions`
// (soft-deleted movies left out), streamed through a server-side cursor into a UserProfileBuilder, in one
// read-only snapshot. PostgreSQL aggregates; memory here grows with the users, not with the rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "training/user_features.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::training {

struct ActivityReadOptions {
  // Any PostgreSQL timestamptz literal; nullopt = unbounded. Views by last_event_at, reactions by event_time,
  // as the trainer reads them.
  std::optional<std::string> since;  // inclusive
  std::optional<std::string> until;  // exclusive
  double completed_share = 0.9;      // a view watched this far (or flagged completed) is completed
  int page_rows = 50000;
};

struct UserActivity {
  std::vector<std::string> genres;    // names, in genre id order: the order of genre_affinity
  std::vector<UserProfile> profiles;  // sorted by user id
  std::int64_t pairs = 0;             // (user, movie) rows read
};

// Throws StoreError when PostgreSQL is unreachable, PgQueryError for a bad window literal.
UserActivity ReadUserActivity(PgPool& pg, const ActivityReadOptions& options);

}  // namespace cinerec::training
