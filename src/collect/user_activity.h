#pragma once
// What the PostgreSQL sink tells the serving side after each committed batch: reactions whose value changed
// and watch sessions that finished or stopped. The Redis implementation (redis_user_activity.h) keeps each
// user's recent reactions and finished movies, so that a cached recommendation list is filtered on read, and
// deletes the user's cached list, so that the next request recomputes it. It runs after the PostgreSQL commit
// so that a recomputation can never read the state from before the event and cache it again.
#include <cstdint>
#include <span>

namespace cinerec::collect {

struct ReactionChange {
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;
  int value = 0;  // the value now stored: +1 like, -1 dislike, 0 cleared
};

struct ViewChange {
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;
  bool completed = false;  // the session is now past the completion threshold
};

class UserActivityPublisher {
 public:
  virtual ~UserActivityPublisher() = default;
  // Best effort, never throws: while Redis is down the changes are dropped (counted); serving stops trusting
  // lists cached before an outage (issue 6), and PostgreSQL stays the truth.
  virtual void Publish(std::span<const ReactionChange> reactions, std::span<const ViewChange> views) = 0;
};

}  // namespace cinerec::collect
