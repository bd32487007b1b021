#include "http/router.h"

#include <stdexcept>

namespace cinerec::http {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// True when `path` fits `pattern`; fills params.
bool Fits(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  auto want = Segments(pattern);
  auto have = Segments(path);
  if (want.size() != have.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (IsParam(want[i])) {
      if (have[i].empty()) return false;
      found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::string(have[i]));
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  if (params) *params = std::move(found);
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, Execution execution) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  for (const auto& r : routes_)
    if (r.method == method && r.pattern == pattern)
      throw std::invalid_argument("duplicate route " + method + " " + pattern);
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler), execution});
}

RouteMatch Router::Match(Request& request) const {
  RouteMatch result;
  result.status = 404;
  // Literal routes win over parameterised ones ("/v1/movies/genres" before "/v1/movies/{id}").
  const Route* best = nullptr;
  int best_params = 1 << 30;
  for (const auto& route : routes_) {
    if (!Fits(route.pattern, request.path, nullptr)) continue;
    if (route.method != request.method) {
      if (result.allow.find(route.method) == std::string::npos)
        result.allow += (result.allow.empty() ? "" : ", ") + route.method;
      continue;
    }
    int params = 0;
    for (auto segment : Segments(route.pattern))
      params += IsParam(segment) ? 1 : 0;
    if (params < best_params) {
      best = &route;
      best_params = params;
    }
  }
  if (best) {
    Fits(best->pattern, request.path, &request.path_params);
    result.route = best;
    result.status = 200;
  } else if (!result.allow.empty()) {
    result.status = 405;
  }
  return result;
}

}  // namespace cinerec::http
