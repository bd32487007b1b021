#include "services/recommend/recommend_routes.h"

#include <charconv>
#include <cmath>

#include "catalog/movie_directory.h"
#include "common/errors.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "recommend/recommend_service.h"
#include "services/accounts/authenticator.h"

namespace cinerec {
namespace {

namespace json = boost::json;
using recommend::kMaxLimit;
using recommend::RecommendResult;

constexpr std::size_t kMaxExclude = 500;
constexpr std::size_t kMaxGenres = 10;

std::optional<std::int64_t> PositiveInt(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0)
    return std::nullopt;
  return value;
}

// A malformed id is a malformed URL (400), as in the catalogue's routes.
std::int64_t PathId(const http::Request& request) {
  const auto id = PositiveInt(request.PathParam("id"));
  if (!id) throw BadRequest("id: must be a positive integer");
  return *id;
}

std::size_t Limit(const http::Request& request) {
  const auto text = request.Query("limit");
  if (!text) return 20;
  const auto value = PositiveInt(*text);
  if (!value || *value > static_cast<std::int64_t>(kMaxLimit))
    throw Unprocessable("limit", "must be an integer from 1 to " + std::to_string(kMaxLimit));
  return static_cast<std::size_t>(*value);
}

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> Genres(const http::Request& request, recommend::RecommendService& service) {
  std::vector<std::string> genres;
  const auto text = request.Query("genre");
  if (!text || text->empty()) return genres;
  if (text->size() > 1024 || !IsValidUtf8(*text) || text->find('\0') != std::string::npos)
    throw Unprocessable("genre", "must be genre names (UTF-8), comma-separated");
  for (const auto part : SplitCommas(*text)) {
    std::string genre(part);
    if (!service.IsKnownGenre(genre))
      throw Unprocessable("genre", "unknown genre '" + genre + "' (see GET /v1/genres)");
    if (std::find(genres.begin(), genres.end(), genre) == genres.end()) genres.push_back(std::move(genre));
  }
  if (genres.size() > kMaxGenres) throw Unprocessable("genre", "at most 10 genres");
  return genres;
}

std::unordered_set<std::int64_t> Exclude(const http::Request& request) {
  std::unordered_set<std::int64_t> out;
  const auto text = request.Query("exclude");
  if (!text) return out;
  const auto parts = SplitCommas(*text);
  if (parts.size() > kMaxExclude) throw Unprocessable("exclude", "at most 500 movie ids");
  for (const auto part : parts) {
    const auto id = PositiveInt(part);
    if (!id) throw Unprocessable("exclude", "must be comma-separated positive movie ids");
    out.insert(*id);
  }
  return out;
}

bool Explain(const http::Request& request) {
  const auto text = request.Query("explain");
  if (!text || text->empty() || *text == "false" || *text == "0") return false;
  if (*text == "true" || *text == "1") return true;
  throw Unprocessable("explain", "must be true or false");
}

// The body is written directly (common/json_text.h) rather than built as a boost::json tree: for a cache
// hit, the tree's allocations and its serialization cost more than the rules. Same document either way
// (tests/integration/recommend_api_itest.cpp parses it; json_text_test checks the escaping).
http::Response ToResponse(const RecommendResult& result, bool explain) {
  std::string out;
  out.reserve(256 + result.items.size() * 160);
  out += "{\"request_id\":";
  AppendJsonString(out, result.request_id);
  out += ",\"model_version\":";
  if (result.model_version.empty())
    out += "null";
  else
    AppendJsonString(out, result.model_version);
  out += ",\"variant\":";
  AppendJsonString(out, result.variant);
  out += ",\"source\":";
  AppendJsonString(out, recommend::ToString(result.source));
  out += result.degraded ? ",\"degraded\":true,\"items\":[" : ",\"degraded\":false,\"items\":[";
  for (std::size_t i = 0; i < result.items.size(); ++i) {
    const auto& item = result.items[i];
    out += i == 0 ? "{\"movie_id\":" : ",{\"movie_id\":";
    AppendJsonNumber(out, item.candidate.movie_id);
    out += ",\"title\":";
    AppendJsonString(out, item.movie->title);
    out += ",\"genres\":[";
    const auto& names = result.movies->genre_names();  // a small table in cache (see MovieSnapshot)
    for (std::size_t g = 0; g < item.movie->genre_ids.size(); ++g) {
      if (g > 0) out += ',';
      AppendJsonString(out, names[item.movie->genre_ids[g]]);
    }
    out += "],\"score\":";
    AppendJsonNumber(out, std::isfinite(item.candidate.score) ? item.candidate.score : 0.0f);
    out += ",\"reason\":";
    AppendJsonString(out, item.reason);
    if (explain) {
      out += ",\"source\":";
      AppendJsonString(out, recommend::ToString(item.candidate.source));
      out += ",\"reason_code\":";
      AppendJsonString(out, recommend::ToString(item.candidate.reason));
      if (!item.anchor.empty()) {
        out += ",\"reason_anchor\":";
        AppendJsonString(out, item.anchor);
      }
    }
    out += '}';
  }
  out += ']';
  if (explain) {
    out += ",\"explain\":{\"cache\":";
    AppendJsonString(out, result.cache.empty() ? std::string_view("none") : std::string_view(result.cache));
    out += ",\"list_created_ms\":";
    AppendJsonNumber(out, result.created_ms);
    out += ",\"degraded_reasons\":[";
    for (std::size_t r = 0; r < result.degraded_reasons.size(); ++r) {
      if (r > 0) out += ',';
      AppendJsonString(out, result.degraded_reasons[r]);
    }
    out += "]}";
  }
  out += '}';
  http::Response response;
  response.status = 200;
  response.body = std::move(out);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

http::Response Recommend(const http::Request& request, recommend::RecommendService& service,
                         std::int64_t user_id, const RecommendObserver& observe) {
  recommend::RecommendRequest query;
  query.user_id = user_id;
  query.limit = Limit(request);
  query.genres = Genres(request, service);
  query.exclude = Exclude(request);
  const bool explain = Explain(request);  // every parameter is checked before anything is computed or logged
  const auto result = service.Recommend(query);
  if (observe) observe("recommendations", result);
  return ToResponse(result, explain);
}

}  // namespace

// The two list routes are tried on the event-loop thread first (http::Execution::kInlineFirst): a viewer
// whose session and list are in the in-process layer is answered there without a hand-over to a worker;
// anything that needs a store is run again on a worker. The service records impressions only after its last
// store call, so a retried attempt never logs them twice.
void RegisterRecommendRoutes(http::Router& router, recommend::RecommendService& service, Authenticator& auth,
                             RecommendObserver observe) {
  router.Add(
      "GET", "/v1/users/{id}/recommendations",
      [&service, &auth, observe](http::Request& request) {
        const auto caller = auth.Require(request);
        const auto user_id = PathId(request);
        RequireUserAccess(caller, user_id);
        return Recommend(request, service, user_id, observe);
      },
      http::Execution::kInlineFirst);
  router.Add(
      "GET", "/v1/me/recommendations",
      [&service, &auth, observe](http::Request& request) {
        const auto caller = auth.Require(request);
        if (caller.user_id == 0)
          throw Forbidden("an API key has no recommendations: use /v1/users/{id}/recommendations");
        return Recommend(request, service, caller.user_id, observe);
      },
      http::Execution::kInlineFirst);
  router.Add("GET", "/v1/movies/{id}/similar", [&service, &auth, observe](http::Request& request) {
    const auto caller = auth.Authenticate(request);
    recommend::SimilarRequest query;
    query.movie_id = PathId(request);
    query.limit = Limit(request);
    if (caller && caller->user_id != 0) query.viewer = caller->user_id;
    const bool explain = Explain(request);
    const auto result = service.Similar(query);
    if (observe) observe("similar", result);
    return ToResponse(result, explain);
  });
}

}  // namespace cinerec
