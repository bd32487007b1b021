// In-process costs of the HTTP layer that every request pays: routing and error serialisation.
#include <benchmark/benchmark.h>

#include "http/router.h"

namespace {

cinerec::http::Router MakeRouter() {
  cinerec::http::Router router;
  auto ok = [](cinerec::http::Request&) { return cinerec::http::Response::Text(200, "ok"); };
  for (const char* p :
       {"/healthz", "/readyz", "/metrics", "/v1/movies", "/v1/movies/{id}", "/v1/movies/{id}/similar",
        "/v1/users/{id}/recommendations", "/v1/me", "/v1/events", "/v1/trending"})
    router.Add("GET", p, ok);
  return router;
}

void BM_RouterMatchParameterised(benchmark::State& state) {
  auto router = MakeRouter();
  cinerec::http::Request request;
  request.method = "GET";
  request.path = "/v1/users/123456/recommendations";
  for (auto _ : state)
    benchmark::DoNotOptimize(router.Match(request));
}
BENCHMARK(BM_RouterMatchParameterised);

void BM_ErrorResponse(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(cinerec::http::Response::Error(404, "not_found", "no route for /x"));
}
BENCHMARK(BM_ErrorResponse);

}  // namespace
