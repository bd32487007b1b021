#include "services/catalog/catalog_routes.h"

#include <boost/json.hpp>
#include <charconv>

#include "catalog/movie_cursor.h"
#include "catalog/movie_json.h"
#include "catalog/movie_repository.h"
#include "common/errors.h"
#include "services/accounts/authenticator.h"

namespace cinerec {
namespace {

namespace json = boost::json;
using catalog::MovieRepository;

constexpr std::size_t kMaxQueryChars = 200;

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A malformed id is a malformed URL (400); a well-formed unknown one is 404.
std::int64_t MovieId(const http::Request& request) {
  const auto& text = request.PathParam("id");
  auto id = ParseInt(text);
  if (!id || *id <= 0 || text.front() == '+' || text.front() == '-')
    throw BadRequest("id: must be a positive integer");
  return *id;
}

// Query values are percent-decoded bytes: anything PostgreSQL would refuse (NUL, invalid UTF-8) is refused
// here, naming the parameter, instead of failing as a 500 in the store.
std::optional<std::string> TextParam(const http::Request& request, const std::string& name) {
  auto value = request.Query(name);
  if (!value || value->empty()) return std::nullopt;
  if (!catalog::IsValidUtf8(*value) || value->find('\0') != std::string::npos)
    throw Unprocessable(name, "must be UTF-8 text without NUL bytes");
  return value;
}

std::optional<int> IntParam(const http::Request& request, const std::string& name, int min, int max) {
  auto value = request.Query(name);
  if (!value) return std::nullopt;
  auto number = ParseInt(*value);
  if (!number || *number < min || *number > max)
    throw Unprocessable(name,
                        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return static_cast<int>(*number);
}

catalog::MovieFilter ParseFilter(const http::Request& request) {
  catalog::MovieFilter filter;
  filter.genre = TextParam(request, "genre");
  filter.year_from = IntParam(request, "year_from", 0, 9999);
  filter.year_to = IntParam(request, "year_to", 0, 9999);
  if (filter.year_from && filter.year_to && *filter.year_from > *filter.year_to)
    throw Unprocessable("year_from", "must not be after year_to");
  filter.q = TextParam(request, "q");
  if (filter.q && catalog::Utf8Length(*filter.q) > kMaxQueryChars)
    throw Unprocessable("q", "must be at most " + std::to_string(kMaxQueryChars) + " characters");
  filter.limit = IntParam(request, "limit", 1, catalog::kMaxPageSize).value_or(catalog::kDefaultPageSize);
  if (auto cursor = request.Query("cursor"); cursor && !cursor->empty()) {
    filter.after_id = catalog::DecodeCursor(*cursor);
    if (!filter.after_id) throw BadRequest("cursor: not a cursor this API returned");
  }
  return filter;
}

[[noreturn]] void ThrowNotFound(std::int64_t id) {
  throw NotFound("no movie with id " + std::to_string(id));
}

}  // namespace

void RegisterCatalogRoutes(http::Router& router, MovieRepository& movies, Authenticator& auth) {
  router.Add("POST", "/v1/movies", [&movies, &auth](http::Request& request) {
    RequireAdmin(auth.Require(request));
    auto movie = movies.Create(catalog::MovieFromJson(request.body));
    auto response = http::Response::Json(201, catalog::ToJson(movie));
    response.headers.emplace_back("Location", "/v1/movies/" + std::to_string(movie.id));
    return response;
  });

  router.Add("GET", "/v1/movies/{id}", [&movies](http::Request& request) {
    const auto id = MovieId(request);
    auto movie = movies.Get(id);
    if (!movie) ThrowNotFound(id);
    return http::Response::Json(200, catalog::ToJson(*movie));
  });

  router.Add("PATCH", "/v1/movies/{id}", [&movies, &auth](http::Request& request) {
    RequireAdmin(auth.Require(request));
    const auto id = MovieId(request);
    auto movie = movies.Update(id, catalog::MoviePatchFromJson(request.body));
    if (!movie) ThrowNotFound(id);
    return http::Response::Json(200, catalog::ToJson(*movie));
  });

  router.Add("DELETE", "/v1/movies/{id}", [&movies, &auth](http::Request& request) {
    RequireAdmin(auth.Require(request));
    const auto id = MovieId(request);
    if (!movies.SoftDelete(id)) ThrowNotFound(id);
    return http::Response::Text(204, "", "application/json");
  });

  router.Add("GET", "/v1/movies", [&movies](http::Request& request) {
    auto page = movies.List(ParseFilter(request));
    json::array items;
    for (const auto& movie : page.items)
      items.emplace_back(catalog::ToJson(movie));
    json::value next = nullptr;
    if (page.next_after_id) next = catalog::EncodeCursor(*page.next_after_id);
    return http::Response::Json(200, json::object{{"items", std::move(items)}, {"next_cursor", next}});
  });

  router.Add("GET", "/v1/genres", [&movies](http::Request&) {
    json::array items;
    for (const auto& genre : movies.ListGenres())
      items.emplace_back(catalog::ToJson(genre));
    return http::Response::Json(200, json::object{{"items", std::move(items)}});
  });
}

}  // namespace cinerec
