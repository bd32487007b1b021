#include "services/health/health_service.h"

#include <boost/json.hpp>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
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

struct ReadinessChecker::Probe {
  StoreProbe* store = nullptr;
  std::mutex mutex;
  std::condition_variable changed;
  bool requested = false;
  bool stopping = false;
  std::uint64_t completed = 0;  // pings finished so far
  std::string last_error;       // of the last finished ping; empty = ok
  std::thread thread;

  void Loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return requested || stopping; });
      if (stopping) return;
      requested = false;
      lock.unlock();
      std::string error;
      try {
        store->Ping();
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      last_error = std::move(error);
      ++completed;
      changed.notify_all();
    }
  }
};

ReadinessChecker::ReadinessChecker(std::vector<StoreProbe*> probes) {
  for (auto* store : probes) {
    auto probe = std::make_unique<Probe>();
    probe->store = store;
    probe->thread = std::thread([p = probe.get()] { p->Loop(); });
    probes_.push_back(std::move(probe));
  }
}

ReadinessChecker::~ReadinessChecker() {
  for (auto& probe : probes_) {
    {
      std::lock_guard lock(probe->mutex);
      probe->stopping = true;
    }
    probe->changed.notify_all();
  }
  for (auto& probe : probes_)
    probe->thread.join();
}

std::vector<StoreStatus> ReadinessChecker::Check(std::chrono::milliseconds deadline) {
  // Ask every store first, then wait: the pings run concurrently.
  std::vector<std::uint64_t> targets;
  for (auto& probe : probes_) {
    std::lock_guard lock(probe->mutex);
    // The answer must come from a ping that starts after this request (a queued one), or the one in flight.
    probe->requested = true;
    targets.push_back(probe->completed + 1);
    probe->changed.notify_all();
  }
  auto until = std::chrono::steady_clock::now() + deadline;
  std::vector<StoreStatus> out;
  for (std::size_t i = 0; i < probes_.size(); ++i) {
    auto& probe = *probes_[i];
    std::unique_lock lock(probe.mutex);
    StoreStatus status{std::string(probe.store->StoreName()), false, ""};
    if (probe.changed.wait_until(lock, until, [&] { return probe.completed >= targets[i]; })) {
      status.ok = probe.last_error.empty();
      status.error = probe.last_error;
    } else {
      status.error = "no answer within " + std::to_string(deadline.count()) + " ms";
    }
    out.push_back(std::move(status));
  }
  return out;
}

void RegisterHealthRoutes(http::Router& router, ReadinessChecker& readiness, Metrics& metrics,
                          const std::string& docs_assets_dir) {
  router.Add(
      "GET", "/healthz",
      [](http::Request&) {
        return http::Response::Json(200, {{"status", "ok"}});
      },
      http::Execution::kInline);

  router.Add("GET", "/readyz", [&readiness, &metrics](http::Request&) {
    boost::json::object stores;
    boost::json::array down;
    for (const auto& status : readiness.Check(kReadinessDeadline)) {
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
  router.Add(
      "GET", "/docs/assets/{file}",
      [assets](http::Request& request) {
        auto it = assets->find(request.PathParam("file"));
        if (it == assets->end())
          return http::Response::Error(404, "not_found", "no such documentation asset");
        auto response = http::Response::Text(200, it->second.first, it->second.second);
        response.headers.emplace_back("Cache-Control", "public, max-age=86400");
        return response;
      },
      http::Execution::kInline);
}

}  // namespace cinerec
