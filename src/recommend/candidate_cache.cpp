#include "recommend/candidate_cache.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "common/errors.h"
#include "storage/redis/redis_client.h"

namespace cinerec::recommend {
namespace {

std::int64_t ParseId(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

void ThrowIfError(const RedisReply& reply) {
  if (reply.is_error()) throw StoreError("redis", reply.str);
}

}  // namespace

CandidateCache::CandidateCache(RedisClient& redis, RedisKeys keys, Options options)
    : redis_(redis), keys_(std::move(keys)), options_(options) {}

void CandidateCache::AfterSuccess() {
  if (!epoch_dirty_.load()) return;
  const auto reply = redis_.Command({"INCR", keys_.RecommendationEpoch()});
  ThrowIfError(reply);
  epoch_dirty_.store(false);
  std::lock_guard lock(mutex_);
  epoch_ = reply.integer;
  epoch_at_ = std::chrono::steady_clock::now();
  spdlog::info("recommend: Redis is back; cache epoch moved to {} (lists cached before are not trusted)",
               reply.integer);
}

std::int64_t CandidateCache::Epoch() {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    // A failure since the last read forces a round trip: the epoch must move before any cached list is
    // trusted again, even within the refresh period.
    if (!epoch_dirty_.load() && epoch_at_ != std::chrono::steady_clock::time_point{}
        && now - epoch_at_ < options_.epoch_refresh)
      return epoch_;
  }
  try {
    AfterSuccess();  // a pending move first: the epoch read below then includes it
    const auto reply = redis_.Command({"GET", keys_.RecommendationEpoch()});
    ThrowIfError(reply);
    const std::int64_t epoch = reply.is_nil() ? 0 : ParseId(reply.str);
    std::lock_guard lock(mutex_);
    epoch_ = epoch;
    epoch_at_ = now;
    return epoch;
  } catch (const StoreError&) {
    NoteFailure();
    throw;
  }
}

CachedUserState CandidateCache::Read(std::int64_t user_id) {
  const std::int64_t epoch = Epoch();
  std::vector<RedisReply> replies;
  try {
    replies = redis_.Pipeline({{"GET", keys_.UserRecommendations(user_id)},
                               {"HGETALL", keys_.UserReactions(user_id)},
                               {"SMEMBERS", keys_.UserFinished(user_id)}});
  } catch (const StoreError&) {
    NoteFailure();
    throw;
  }
  for (const auto& reply : replies)
    ThrowIfError(reply);
  CachedUserState state;
  if (!replies[0].is_nil()) {
    try {
      auto list = Decode(replies[0].str);
      if (list.epoch < epoch)
        state.stale_epoch = true;
      else
        state.list = std::move(list);
    } catch (const std::invalid_argument& e) {
      spdlog::warn("recommend: cached list of user {} ignored: {}", user_id, e.what());
    }
  }
  const auto& pairs = replies[1].elements;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
    state.reactions[ParseId(pairs[i].str)] = static_cast<int>(ParseId(pairs[i + 1].str));
  for (const auto& member : replies[2].elements)
    state.finished.insert(ParseId(member.str));
  return state;
}

void CandidateCache::Write(std::int64_t user_id, const CandidateList& list) {
  try {
    ThrowIfError(redis_.Command({"SET", keys_.UserRecommendations(user_id), Encode(list), "PX",
                                 std::to_string(options_.ttl.count())}));
  } catch (const StoreError&) {
    NoteFailure();
    throw;
  }
}

}  // namespace cinerec::recommend
