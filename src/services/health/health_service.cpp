#include "services/health/health_service.h"

#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <sstream>
#include <memory>
#include <thread>

#include "common/embedded_files.h"
#include "http/metrics.h"
#include "storage/store_probe.h"

namespace cinerec {
namespace {

constexpr std::chrono::milliseconds kReadinessDeadline{2000};

const std::string& OpenApiDocument() {
  static const std::string document = [] {
    for (const auto& file : embedded::api_docs())
      if (file.path == "openapi.json") return file.contents;
    return std::string("{}");
  }();
  return document;
}

// Swagger UI reads /openapi.json; its assets come from the swagger-ui-dist npm package that
// scripts/install-deps.sh installs under web/ and `serve` exposes at /docs/assets/ when present.
constexpr const char* kDocsPage = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>cinerec API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
if (window.SwaggerUIBundle) { SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"}); }
else { document.getElementById("ui").innerHTML =
  '<p>Interactive docs need the Swagger UI assets (run <code>make run</code>). The raw document is at <a href="/openapi.json">/openapi.json</a>.</p>'; }
</script></body></html>)";

}  // namespace

std::vector<StoreStatus> CheckStores(const std::vector<StoreProbe*>& probes,
                                     std::chrono::milliseconds deadline) {
  // Each ping runs on its own thread so one hung store cannot delay the others; a thread that outlives the
  // deadline finishes on its own (adapters bound their calls with timeouts) and its result is ignored.
  struct Pending {
    std::string store;
    std::shared_ptr<std::promise<std::string>> result;
  };
  std::vector<Pending> pending;
  for (auto* probe : probes) {
    auto promise = std::make_shared<std::promise<std::string>>();
    pending.push_back({std::string(probe->StoreName()), promise});
    std::thread([probe, promise] {
      try {
        probe->Ping();
        promise->set_value("");
      } catch (const std::exception& e) {
        promise->set_value(e.what());
      }
    }).detach();
  }
  auto until = std::chrono::steady_clock::now() + deadline;
  std::vector<StoreStatus> out;
  for (auto& p : pending) {
    auto future = p.result->get_future();
    StoreStatus status{p.store, false, ""};
    if (future.wait_until(until) == std::future_status::ready) {
      status.error = future.get();
      status.ok = status.error.empty();
    } else {
      status.error = "no answer within " + std::to_string(deadline.count()) + " ms";
    }
    out.push_back(std::move(status));
  }
  return out;
}

void RegisterHealthRoutes(http::Router& router, std::vector<StoreProbe*> probes, Metrics& metrics,
                          const std::string& docs_assets_dir) {
  router.Add(
      "GET", "/healthz",
      [](http::Request&) {
        return http::Response::Json(200, {{"status", "ok"}});
      },
      http::Execution::kInline);

  router.Add("GET", "/readyz", [probes, &metrics](http::Request&) {
    boost::json::object stores;
    boost::json::array down;
    for (const auto& status : CheckStores(probes, kReadinessDeadline)) {
      stores[status.store] = status.ok ? "ok" : "down";
      if (!status.ok) {
        metrics.RecordStoreError(status.store);
        down.push_back({{"store", status.store}, {"error", status.error}});
      }
    }
    boost::json::object body{{"status", down.empty() ? "ok" : "unavailable"}, {"stores", stores}};
    if (!down.empty()) body["down"] = down;
    return http::Response::Json(down.empty() ? 200 : 503, body);
  });

  router.Add(
      "GET", "/metrics",
      [&metrics](http::Request&) {
        return http::Response::Text(200, metrics.Serialize(), "text/plain; version=0.0.4; charset=utf-8");
      },
      http::Execution::kInline);

  router.Add(
      "GET", "/openapi.json",
      [](http::Request&) { return http::Response::Text(200, OpenApiDocument(), "application/json"); },
      http::Execution::kInline);

  router.Add(
      "GET", "/docs",
      [](http::Request&) { return http::Response::Text(200, kDocsPage, "text/html; charset=utf-8"); },
      http::Execution::kInline);

  // Only the two files the page needs, read once at start: no file-system path ever comes from a request.
  auto assets = std::make_shared<std::map<std::string, std::pair<std::string, std::string>>>();
  for (const auto& [file, type] : {std::pair<std::string, std::string>{"swagger-ui.css", "text/css"},
                                   {"swagger-ui-bundle.js", "application/javascript"}}) {
    if (docs_assets_dir.empty()) break;
    std::ifstream in(docs_assets_dir + "/" + file, std::ios::binary);
    if (!in) continue;
    std::stringstream content;
    content << in.rdbuf();
    (*assets)[file] = {content.str(), type};
  }
  router.Add("GET", "/docs/assets/{file}", [assets](http::Request& request) {
    auto it = assets->find(request.PathParam("file"));
    if (it == assets->end()) return http::Response::Error(404, "not_found", "no such documentation asset");
    auto response = http::Response::Text(200, it->second.first, it->second.second);
    response.headers.emplace_back("Cache-Control", "public, max-age=86400");
    return response;
  }, http::Execution::kInline);
}

}  // namespace cinerec
