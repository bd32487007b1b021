#include "recommend/candidate_cache.h"

#include <spdlog/spdlog.h>

#include <charconv>

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

// What Read got from Redis, packed for the in-process layer: 16 bytes a candidate instead of the 48 of a
// Candidate (its anchor string), so that a node keeps ~3x more viewers in the same memory. The epoch is
// checked on every read, not when packing.
struct PackedState {
  struct Item {
    std::int64_t movie_id = 0;
    float score = 0;
    Source source = Source::kPersonal;
    Reason reason = Reason::kForYou;
    std::uint16_t anchor = 0;  // index into `anchors`
  };
  bool has_list = false;
  std::string model_version;
  std::string variant;
  Source source = Source::kPersonal;
  std::int64_t created_ms = 0;
  std::int64_t epoch = 0;
  std::vector<Item> items;
  std::vector<std::string> anchors{std::string()};  // [0]: no anchor
  std::vector<std::pair<std::int64_t, int>> reactions;
  std::vector<std::int64_t> finished;

  std::size_t Bytes() const {
    std::size_t bytes =
        sizeof(*this) + items.capacity() * sizeof(Item) + reactions.capacity() * sizeof(reactions[0])
        + finished.capacity() * sizeof(finished[0]) + model_version.capacity() + variant.capacity();
    for (const auto& a : anchors)
      bytes += sizeof(a) + (a.size() > 15 ? a.capacity() : 0);
    return bytes;
  }
};

PackedState Pack(const std::optional<CandidateList>& list,
                 const std::unordered_map<std::int64_t, int>& reactions,
                 const std::unordered_set<std::int64_t>& finished) {
  PackedState packed;
  packed.reactions.assign(reactions.begin(), reactions.end());
  packed.finished.assign(finished.begin(), finished.end());
  if (!list) return packed;
  packed.has_list = true;
  packed.model_version = list->model_version;
  packed.variant = list->variant;
  packed.source = list->source;
  packed.created_ms = list->created_ms;
  packed.epoch = list->epoch;
  packed.items.reserve(list->items.size());
  // Keys are views of the stored anchors: reserved, so that they never move while the map is in use.
  packed.anchors.reserve(list->items.size() + 1);
  std::unordered_map<std::string_view, std::uint16_t> anchor_index{{std::string_view(), 0}};
  for (const auto& c : list->items) {
    std::uint16_t anchor = 0;
    if (const auto it = anchor_index.find(c.anchor); it != anchor_index.end()) {
      anchor = it->second;
    } else {
      anchor = static_cast<std::uint16_t>(packed.anchors.size());
      packed.anchors.push_back(c.anchor);
      anchor_index.emplace(packed.anchors.back(), anchor);
    }
    packed.items.push_back({c.movie_id, c.score, c.source, c.reason, anchor});
  }
  packed.anchors.shrink_to_fit();
  return packed;
}

CachedUserState Unpack(const PackedState& packed, std::int64_t epoch) {
  CachedUserState state;
  state.reactions.insert(packed.reactions.begin(), packed.reactions.end());
  state.finished.insert(packed.finished.begin(), packed.finished.end());
  if (!packed.has_list) return state;
  if (packed.epoch < epoch) {
    state.stale_epoch = true;
    return state;
  }
  CandidateList& list = state.list.emplace();
  list.model_version = packed.model_version;
  list.variant = packed.variant;
  list.source = packed.source;
  list.created_ms = packed.created_ms;
  list.epoch = packed.epoch;
  list.items.reserve(packed.items.size());
  for (const auto& item : packed.items)
    list.items.push_back({item.movie_id, item.score, item.source, item.reason, packed.anchors[item.anchor]});
  return state;
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

struct CandidateCache::Near {
  explicit Near(InvalidationFeed* feed, NearCache<std::int64_t, PackedState>::Options options)
      : cache(feed, options) {}
  NearCache<std::int64_t, PackedState> cache;
  std::vector<FeedSubscription> subscriptions;  // after cache: their handlers stop before it goes
};

CandidateCache::CandidateCache(RedisClient& redis, RedisKeys keys, Options options)
    : redis_(redis), keys_(std::move(keys)), options_(options) {
  near_ = std::make_unique<Near>(
      options_.feed, NearCache<std::int64_t, PackedState>::Options{options_.near_bytes, options_.near_ttl});
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

CachedUserState CandidateCache::Read(std::int64_t user_id) {
  const std::int64_t epoch = Epoch();
  if (near_) {
    if (const auto packed = near_->cache.Find(user_id)) return Unpack(*packed, epoch);
  }
  return ReadFromRedis(user_id, epoch);
}

CachedUserState CandidateCache::ReadFromRedis(std::int64_t user_id, std::int64_t epoch) {
  NearCache<std::int64_t, PackedState>::Ticket ticket;
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
  CachedUserState state;
  if (!replies[0].is_nil()) {
    try {
      state.list = Decode(replies[0].str);
    } catch (const std::invalid_argument& e) {
      spdlog::warn("recommend: cached list of user {} ignored: {}", user_id, e.what());
    }
  }
  const auto& pairs = replies[1].elements;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
    state.reactions[ParseId(pairs[i].str)] = static_cast<int>(ParseId(pairs[i + 1].str));
  for (const auto& member : replies[2].elements)
    state.finished.insert(ParseId(member.str));
  if (near_) {
    auto packed = std::make_shared<const PackedState>(Pack(state.list, state.reactions, state.finished));
    const std::size_t bytes = packed->Bytes();
    near_->cache.Insert(user_id, std::move(packed), bytes, ticket);
  }
  if (state.list && state.list->epoch < epoch) {
    state.list.reset();
    state.stale_epoch = true;
  }
  return state;
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
