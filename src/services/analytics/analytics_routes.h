#pragma once
// The analytics reports over HTTP, admin only (viewers get 403, anonymous callers 401):
//   GET /v1/analytics/views | watch-quality | engagement | search | ui | recommendations
//   GET /v1/analytics/recommendations/compare?variant_a=&variant_b=
//   GET /v1/analytics/users/{id}/history
// Query parameters: from, to (ISO-8601 UTC), granularity (hour, day, week), filters (genre, movie, device,
// country, tier; model_version, variant, source for recommendations), limit, window (seconds). Handlers only
// translate HTTP to AnalyticsService (src/analytics); see docs/analytics.md.
#include "http/router.h"

namespace cinerec {

class Authenticator;
struct AnalyticsConfig;
namespace analytics {
class AnalyticsService;
}

// REQUIRES: service, config and auth outlive the router.
void RegisterAnalyticsRoutes(http::Router& router, analytics::AnalyticsService& service,
                             const AnalyticsConfig& config, Authenticator& auth);

}  // namespace cinerec
