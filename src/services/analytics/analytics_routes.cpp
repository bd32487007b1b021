#include "services/analytics/analytics_routes.h"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "analytics/analytics_service.h"
#include "common/config.h"
#include "common/errors.h"
#include "services/accounts/authenticator.h"

namespace cinerec {
namespace {

using analytics::AnalyticsService;
using analytics::ReportParameters;
using analytics::ReportRequest;

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What each report accepts: a parameter outside its set is refused, never silently ignored.
const std::set<std::string> kEventFilters = {"genre", "movie", "device", "country", "tier"};

ReportParameters Series(std::set<std::string> filters = kEventFilters) {
  return ReportParameters{.granularity = true, .limit = true, .filters = std::move(filters)};
}

ReportParameters Recommendation(bool by, bool compare) {
  return ReportParameters{.limit = !compare,
                          .window = true,
                          .by = by,
                          .compare = compare,
                          .filters = {"genre", "movie", "country", "tier", "model_version", "source",
                                      compare ? "model_version" : "variant"}};
}

std::uint64_t UserId(const http::Request& request) {
  const auto& text = request.PathParam("id");
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id == 0 || id > INT64_MAX)
    throw BadRequest("id: must be a positive integer");
  return id;
}

}  // namespace

void RegisterAnalyticsRoutes(http::Router& router, AnalyticsService& service, const AnalyticsConfig& config,
                             Authenticator& auth) {
  // Checks the caller, parses the request, runs the report.
  auto add = [&](const std::string& path, ReportParameters accepted,
                 std::function<boost::json::object(const http::Request&, const ReportRequest&)> report) {
    router.Add("GET", path, [&auth, &config, accepted, report](http::Request& request) {
      RequireAdmin(auth.Require(request));
      const auto parsed = analytics::ParseReportRequest(request.query, accepted, config, NowSeconds());
      return http::Response::Json(200, report(request, parsed));
    });
  };
  add("/v1/analytics/views", Series(), [&service](const auto&, const auto& r) { return service.Views(r); });
  add("/v1/analytics/watch-quality", ReportParameters{.filters = kEventFilters},
      [&service](const auto&, const auto& r) { return service.WatchQuality(r); });
  add("/v1/analytics/engagement", Series(),
      [&service](const auto&, const auto& r) { return service.Engagement(r, NowSeconds()); });
  add("/v1/analytics/search", ReportParameters{.limit = true, .filters = {"device", "country", "tier"}},
      [&service](const auto&, const auto& r) { return service.Search(r); });
  add("/v1/analytics/ui", ReportParameters{.limit = true, .window = true, .filters = kEventFilters},
      [&service](const auto&, const auto& r) { return service.Ui(r); });
  add("/v1/analytics/recommendations", Recommendation(true, false),
      [&service](const auto&, const auto& r) { return service.Recommendations(r); });
  add("/v1/analytics/recommendations/compare", Recommendation(false, true),
      [&service](const auto&, const auto& r) { return service.CompareVariants(r); });
  add("/v1/analytics/users/{id}/history", ReportParameters{.limit = true, .window = true, .filters = {}},
      [&service](const http::Request& request, const auto& r) {
        return service.UserHistory(UserId(request), r);
      });
}

}  // namespace cinerec
