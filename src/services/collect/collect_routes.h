#pragma once
// The collection service over HTTP:
//   POST /v1/events  (viewer: own events; admin: any user's) {"events": [...]} ->
//        200 every event accepted, 207 some rejected (the others accepted), 422 none valid; each rejected
//        event listed with its index and reason. 400 malformed JSON, 413 too many events or bytes, 429 rate
//        limited and 503 spool full (both with Retry-After: nothing in the batch was stored).
//   GET  /v1/trending?genre=&window=&limit=  (public) popular now, from the Redis counters, with titles;
//        window 1h..168h (or 1d..7d), default 24h; limit 1..100, default 20. 503 while Redis is down and
//        nothing is cached. For a signed-in viewer, with a TrendingViewerFilter, without the movies the
//        recommendation rules hide from them (finished, liked, disliked, not on their tier).
// Handlers translate HTTP to CollectService calls; the rules live in src/collect.
#include <cstdint>
#include <functional>
#include <unordered_set>
#include <vector>

#include "http/router.h"

namespace cinerec {

class Authenticator;
namespace collect {
class CollectService;
class TrendingReader;
}  // namespace collect

// The movies among the given ones that a viewer must not be shown (RecommendService::HiddenFor).
using TrendingViewerFilter =
    std::function<std::unordered_set<std::int64_t>(std::int64_t user_id, const std::vector<std::int64_t>&)>;

// REQUIRES: service, trending, auth and what `viewer_filter` uses outlive the router. An empty filter:
// trending is the same for everyone.
void RegisterCollectRoutes(http::Router& router, collect::CollectService& service,
                           collect::TrendingReader& trending, Authenticator& auth,
                           TrendingViewerFilter viewer_filter = {});

}  // namespace cinerec
