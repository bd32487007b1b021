#include "services/collect/collect_routes.h"

#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <vector>

#include "collect/collect_service.h"
#include "collect/trending.h"
#include "common/utf8.h"
#include "services/accounts/authenticator.h"

namespace cinerec {
namespace {

namespace json = boost::json;
using collect::kMaxTrendingLimit;
using collect::kMaxTrendingWindowHours;
using http::Request;
using http::Response;

json::object RejectionJson(const collect::Rejection& r) {
  json::object out{{"index", r.index}, {"code", r.code}, {"message", r.message}};
  if (!r.event_id.empty()) out["event_id"] = r.event_id;
  if (!r.field.empty()) out["field"] = r.field;
  return out;
}

Response AcceptanceResponse(const collect::Acceptance& result) {
  json::array errors;
  for (const auto& r : result.rejections)
    errors.push_back(RejectionJson(r));
  json::object body{
      {"accepted", result.accepted}, {"rejected", result.rejections.size()}, {"errors", std::move(errors)}};
  if (result.accepted == 0) {
    // Nothing was stored: the usual error envelope too, so that generic clients see why.
    body["error"] = json::object{{"code", "no_valid_events"},
                                 {"message", "no event of the batch was valid; see errors for each event"}};
    return Response::Json(422, body);
  }
  return Response::Json(result.rejections.empty() ? 200 : 207, body);
}

// ?window= accepts hours ("24") or a duration ("1h", "24h", "7d").
int WindowHours(const http::Request& request) {
  const auto text = request.Query("window");
  if (!text || text->empty()) return 24;
  std::string_view digits = *text;
  int unit = 1;
  if (digits.back() == 'h') {
    digits.remove_suffix(1);
  } else if (digits.back() == 'd') {
    digits.remove_suffix(1);
    unit = 24;
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 1
      || value * unit > kMaxTrendingWindowHours)
    throw Unprocessable("window", "must be 1h to 168h (or 1d to 7d, or a number of hours)");
  return value * unit;
}

int Limit(const http::Request& request) {
  const auto text = request.Query("limit");
  if (!text) return 20;
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < 1
      || value > kMaxTrendingLimit)
    throw Unprocessable("limit", "must be an integer from 1 to " + std::to_string(kMaxTrendingLimit));
  return value;
}

}  // namespace

void RegisterCollectRoutes(http::Router& router, collect::CollectService& service,
                           collect::TrendingReader& trending, Authenticator& auth,
                           TrendingViewerFilter viewer_filter) {
  router.Add("POST", "/v1/events", [&service, &auth](Request& request) {
    const auto caller = auth.Require(request);
    try {
      return AcceptanceResponse(service.Accept(caller, request.body));
    } catch (const collect::TryLater& e) {
      auto response = Response::Error(e.status(), e.code(), e.what());
      response.headers.emplace_back("Retry-After", std::to_string(e.retry_after().count()));
      return response;
    }
  });

  router.Add("GET", "/v1/trending", [&trending, &auth, viewer_filter](http::Request& request) {
    collect::TrendingQuery query;
    if (auto genre = request.Query("genre"); genre && !genre->empty()) {
      if (genre->size() > 64 || genre->find('\0') != std::string::npos || !IsValidUtf8(*genre))
        throw Unprocessable("genre", "must be a genre name (UTF-8, at most 64 bytes)");
      query.genre = *genre;
    }
    query.window_hours = WindowHours(request);
    query.limit = Limit(request);
    const std::size_t limit = static_cast<std::size_t>(query.limit);
    std::optional<std::int64_t> viewer;
    if (viewer_filter) {
      if (const auto caller = auth.Authenticate(request); caller && caller->user_id != 0)
        viewer = caller->user_id;
    }
    auto top = [&] {
      if (!viewer) return trending.Top(query);
      // The viewer's rules drop some: read the most the endpoint allows, filter, then cut to the limit.
      auto wider = query;
      wider.limit = kMaxTrendingLimit;
      auto all = trending.Top(wider);
      std::vector<std::int64_t> ids;
      for (const auto& item : all)
        ids.push_back(item.movie_id);
      const auto hidden = viewer_filter(*viewer, ids);
      std::erase_if(all, [&](const collect::TrendingItem& item) { return hidden.contains(item.movie_id); });
      if (all.size() > limit) all.resize(limit);
      return all;
    }();
    json::array items;
    for (const auto& item : top) {
      json::array genres;
      for (const auto& g : item.genres)
        genres.emplace_back(g);
      items.push_back(json::object{{"movie_id", item.movie_id},
                                   {"title", item.title},
                                   {"genres", std::move(genres)},
                                   {"score", item.score}});
    }
    auto response = http::Response::Json(
        200, json::object{{"genre", query.genre.empty() ? json::value() : json::value(query.genre)},
                          {"window_hours", query.window_hours},
                          {"items", std::move(items)}});
    if (viewer) response.headers.emplace_back("Cache-Control", "private, no-store");  // one viewer's list
    return response;
  });
}

}  // namespace cinerec
