#pragma once
// The collection service over HTTP:
//   POST /v1/events  (viewer: own events; admin: any user's) {"events": [...]} ->
//        200 every event accepted, 207 some rejected (the others accepted), 422 none valid; each rejected
//        event listed with its index and reason. 400 malformed JSON, 413 too many events or bytes, 429 rate
//        limited and 503 spool full (both with Retry-After: nothing in the batch was stored).
//   GET  /v1/trending?genre=&window=&limit=  (public) popular now, from the Redis counters, with titles;
//        window 1h..168h (or 1d..7d), default 24h; limit 1..100, default 20. 503 while Redis is down and
//        nothing is cached.
// Handlers translate HTTP to CollectService calls; the rules live in src/collect.
#include "http/router.h"

namespace cinerec {

class Authenticator;
namespace collect {
class CollectService;
class TrendingReader;
}  // namespace collect

// REQUIRES: service, trending and auth outlive the router.
void RegisterCollectRoutes(http::Router& router, collect::CollectService& service,
                           collect::TrendingReader& trending, Authenticator& auth);

}  // namespace cinerec
