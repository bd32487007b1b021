#include "recommend/candidate_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <climits>

#include "common/errors.h"
#include "storage/redis/near_cache.h"
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

// The state without its list, for a list of an older epoch: a copy, but only once per list per epoch move
// (the in-process copy is forgotten by then, see the epoch subscription).
std::shared_ptr<const CachedUserState> WithoutStaleList(const std::shared_ptr<const CachedUserState>& state,
                                                        std::int64_t epoch) {
  if (state->list == nullptr || state->list->epoch >= epoch) return state;
  auto copy = std::make_shared<CachedUserState>(*state);
  copy->list.reset();
  copy->stale_epoch = true;
  return copy;
}

// The user id of "<prefix>{u:<id>}:<what>"; 0 for anything else.
std::int64_t UserOfKey(std::string_view key, std::string_view user_prefix) {
  if (!key.starts_with(user_prefix)) return 0;
  key.remove_prefix(user_prefix.size());
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  return ec == std::errc() && end != key.data() + key.size() && *end == '}' ? id : 0;
}

}  // namespace

int CachedUserState::ReactionTo(std::int64_t movie) const {
  const auto it =
      std::lower_bound(reactions.begin(), reactions.end(), std::pair<std::int64_t, int>(movie, INT_MIN));
  return it != reactions.end() && it->first == movie ? it->second : 0;
}

std::size_t CachedUserState::Bytes() const {
  std::size_t bytes = sizeof(*this) + reactions.capacity() * sizeof(reactions[0])
                      + (finished.capacity() + hidden.capacity()) * sizeof(std::int64_t);
  if (list != nullptr) {
    bytes += sizeof(*list) + list->items.capacity() * sizeof(Candidate) + list->model_version.capacity()
             + list->variant.capacity();
    for (const auto& a : list->anchors)
      bytes += sizeof(a) + (a.size() > 15 ? a.capacity() : 0);
  }
  return bytes;
}

struct CandidateCache::Near {
  explicit Near(InvalidationFeed* feed, NearCache<std::int64_t, CachedUserState>::Options options)
      : cache(feed, options) {}
  NearCache<std::int64_t, CachedUserState> cache;
  std::vector<FeedSubscription> subscriptions;  // after cache: their handlers stop before it goes
};

CandidateCache::CandidateCache(RedisClient& redis, RedisKeys keys, Options options)
    : redis_(redis), keys_(std::move(keys)), options_(options) {
  near_ = std::make_unique<Near>(options_.feed, NearCache<std::int64_t, CachedUserState>::Options{
                                                    options_.near_bytes, options_.near_ttl});
  if (!near_->cache.enabled()) {
    near_.reset();
    return;
  }
  auto* cache = &near_->cache;
  const std::string user_prefix = keys_.prefix() + "{u:";
  near_->subscriptions.emplace_back(*options_.feed, user_prefix, [cache, user_prefix](std::string_view key) {
    const std::int64_t user = UserOfKey(key, user_prefix);
    if (user != 0)
      cache->Invalidate(user);
    else
      cache->InvalidateAll();  // a flush, a lost connection, or a key not understood: forget everything
  });
  near_->subscriptions.emplace_back(*options_.feed, keys_.RecommendationEpoch(),
                                    [cache](std::string_view) { cache->InvalidateAll(); });
}

CandidateCache::~CandidateCache() = default;

std::uint64_t CandidateCache::near_hits() const {
  return near_ ? near_->cache.hits() : 0;
}

std::uint64_t CandidateCache::near_misses() const {
  return near_ ? near_->cache.misses() : 0;
}

CandidateCache::NearStats CandidateCache::near_stats() const {
  if (!near_) return {};
  const auto s = near_->cache.stats();
  return {s.hits, s.misses, s.entries, s.bytes};
}

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

std::shared_ptr<const CachedUserState> CandidateCache::Read(std::int64_t user_id) {
  const std::int64_t epoch = Epoch();
  if (near_) {
    if (auto state = near_->cache.Find(user_id)) return WithoutStaleList(state, epoch);
  }
  return ReadFromRedis(user_id, epoch);
}

std::shared_ptr<const CachedUserState> CandidateCache::ReadFromRedis(std::int64_t user_id,
                                                                     std::int64_t epoch) {
  NearCache<std::int64_t, CachedUserState>::Ticket ticket;
  if (near_) ticket = near_->cache.Prepare(user_id);
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
  auto state = std::make_shared<CachedUserState>();
  if (!replies[0].is_nil()) {
    try {
      state->list = std::make_shared<const CandidateList>(Decode(replies[0].str));
    } catch (const std::invalid_argument& e) {
      spdlog::warn("recommend: cached list of user {} ignored: {}", user_id, e.what());
    }
  }
  const auto& pairs = replies[1].elements;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
    state->reactions.emplace_back(ParseId(pairs[i].str), static_cast<int>(ParseId(pairs[i + 1].str)));
  std::sort(state->reactions.begin(), state->reactions.end());
  for (const auto& member : replies[2].elements)
    state->finished.push_back(ParseId(member.str));
  std::sort(state->finished.begin(), state->finished.end());
  state->hidden = state->finished;
  for (const auto& [movie, value] : state->reactions)
    if (value != 0) state->hidden.push_back(movie);
  std::sort(state->hidden.begin(), state->hidden.end());
  state->hidden.erase(std::unique(state->hidden.begin(), state->hidden.end()), state->hidden.end());
  std::shared_ptr<const CachedUserState> shared = std::move(state);
  if (near_) near_->cache.Insert(user_id, shared, shared->Bytes(), ticket);
  return WithoutStaleList(shared, epoch);
}

void CandidateCache::Write(std::int64_t user_id, const CandidateList& list) {
  if (near_) near_->cache.Invalidate(user_id);  // the feed would say so too, a few milliseconds later
  try {
    ThrowIfError(redis_.Command({"SET", keys_.UserRecommendations(user_id), Encode(list), "PX",
                                 std::to_string(options_.ttl.count())}));
  } catch (const StoreError&) {
    NoteFailure();
    throw;
  }
}

}  // namespace cinerec::recommend
