#pragma once
// Maps (method, path) to a handler. Patterns are OpenAPI-style: "/v1/movies/{id}". The route's pattern is
// also its name in metrics and the key checked against the OpenAPI document.
#include <functional>
#include <string>
#include <vector>

#include "http/http_types.h"

namespace cinerec::http {

using Handler = std::function<Response(Request&)>;

// Where a handler runs. kInline handlers must never block (no store calls): they run on the I/O thread.
// kWorker handlers run on the bounded worker pool, so a slow store never stalls the event loop.
// kInlineFirst handlers are tried on the I/O thread under a NonBlockingScope (common/non_blocking.h) and run
// again on the worker pool if they reach a store: for answers that usually come from memory.
enum class Execution { kInline, kWorker, kInlineFirst };

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  Execution execution = Execution::kWorker;
};

struct RouteMatch {
  const Route* route = nullptr;  // null: see status
  int status = 200;              // 404 no such path, 405 path exists but not for this method
  std::string allow;             // for 405: the methods the path supports, "GET, POST"
};

class Router {
 public:
  // Throws std::invalid_argument on a duplicate (method, pattern) or a malformed pattern.
  void Add(std::string method, std::string pattern, Handler handler,
           Execution execution = Execution::kWorker);
  // Fills request.path_params on a match.
  RouteMatch Match(Request& request) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace cinerec::http
