#pragma once
// RedisKeys: every Redis key of the collection and recommendation side, built in one place from the
// configured prefix (RedisConfig::key_prefix, e.g. "cinerec:"). Each key carries a hash tag ({...}) so that
// the keys one command or one group of commands touches share a slot on Redis Cluster:
//
//   <prefix>{u:<user>}:reactions   hash   movie id -> "1" like, "-1" dislike, "0" cleared (a tombstone that
//                                         overrides an older PostgreSQL read). TTL: 7 days, renewed on
//                                         every write (RedisUserActivity).
//   <prefix>{u:<user>}:finished    set    ids of movies the user finished. TTL as reactions.
//   <prefix>{u:<user>}:recs        string the user's cached recommendation list (issue 6: written by the
//                                         recommendation service with its own TTL); DEL'd whenever the user
//                                         reacts or finishes a movie.
//   <prefix>{recs}:epoch           string the recommendation cache epoch (a counter): a cached list records
//                                         the epoch it was computed in; not trusted once the epoch moved.
//                                         Moved (INCR) by a process that failed to reach Redis, once it
//                                         reaches it again: invalidations may have been lost meanwhile.
//   <prefix>{trending:<scope>}:h:<hour>
//                                  zset   popularity of the hour <hour> (Unix time / 3600, UTC, of the
//                                  EVENT):
//                                         member = movie id, score = sum of signal weights (TrendingSink).
//                                         TTL: CollectConfig::trending_bucket_ttl_s (8 days) after the END of
//                                         the hour.
//   <prefix>{trending:<scope>}:w:<hours>
//                                  zset   the decayed union of the last <hours> hours (TrendingReader).
//                                         TTL: 2 s, shared by every API node; recomputed when missing or
//                                         found without a TTL.
//
// <scope> is "all" or "g:<genre name>" (TrendingScope). In keys the characters '{', '}' and '%' of a scope
// are percent-encoded, so a genre name can never end or open a hash tag early. All hours of one scope share
// one slot, so a ZUNIONSTORE over them (and its destination) never crosses slots; everything about one user
// shares one slot, so a user's reaction, finished set and cached list can be written in one group.
//
// Every write to the {u:...}, {recs}:epoch and session keys is also pushed by Redis to each API process's
// InvalidationListener (client tracking), which drops the in-process copies (near_cache.h).
#include <cstdint>
#include <string>
#include <string_view>

namespace cinerec {

class RedisKeys {
 public:
  // Throws ConfigError when the prefix contains '{' or '}' (it would move the hash tag).
  explicit RedisKeys(std::string prefix);

  const std::string& prefix() const { return prefix_; }

  std::string UserReactions(std::int64_t user_id) const;
  std::string UserFinished(std::int64_t user_id) const;
  std::string UserRecommendations(std::int64_t user_id) const;
  std::string RecommendationEpoch() const;

  // "all" for an empty genre, otherwise "g:<genre>".
  static std::string TrendingScope(std::string_view genre);
  std::string TrendingBucket(std::string_view scope, std::int64_t hour_index) const;
  std::string TrendingWindow(std::string_view scope, int hours) const;

  // The hour a Unix millisecond timestamp falls in (floor division: also right before 1970).
  static std::int64_t HourIndex(std::int64_t unix_ms);

 private:
  std::string UserKey(std::int64_t user_id, std::string_view what) const;
  std::string TrendingKey(std::string_view scope) const;  // "<prefix>{trending:<encoded scope>}:"

  std::string prefix_;
};

}  // namespace cinerec
