// The HTTP server in-process, against raw sockets: limits, malformed input, errors, keep-alive, graceful
// stop.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <future>
#include <thread>

#include "common/errors.h"
#include "common/non_blocking.h"
#include "http/metrics.h"
#include "http/router.h"
#include "support/http_test_client.h"

namespace cinerec::http {
namespace {

using cinerec::testing::HttpCall;
using cinerec::testing::RawExchange;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(
        "GET", "/hello",
        [](Request&) {
          return Response::Json(200, {{"hello", "world"}});
        },
        Execution::kInline);
    router_.Add("POST", "/echo", [](Request& r) {
      boost::system::error_code ec;
      auto value = boost::json::parse(r.body, ec);
      if (ec) throw BadRequest("body is not valid JSON: " + ec.message());
      return Response::Json(200, value);
    });
    router_.Add("GET", "/items/{id}", [](Request& r) {
      return Response::Json(200, {{"id", r.PathParam("id")}, {"q", r.Query("q").value_or("")}});
    });
    router_.Add("GET", "/store-down",
                [](Request&) -> Response { throw StoreError("postgres", "connection refused"); });
    router_.Add("GET", "/bug", [](Request&) -> Response { throw std::logic_error("oops"); });
    router_.Add("GET", "/slow", [](Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      return Response::Json(200, {{"slow", true}});
    });
    router_.Add(
        "GET", "/maybe-cached/{key}",
        [this](Request& r) {
          ++attempts_;
          // "cached" is answered from memory; anything else needs a store, which may not be used inline.
          if (r.PathParam("key") != "cached") ThrowIfMustNotBlock();
          return Response::Json(200, {{"inline", MustNotBlock()}});
        },
        Execution::kInlineFirst);
    HttpConfig config;
    config.addr = "127.0.0.1:0";
    config.max_body_bytes = 4096;
    config.worker_threads = 2;
    config.access_log = false;
    server_ = std::make_unique<Server>(config, router_, metrics_);
    port_ = server_->port();
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  static std::string ErrorCode(const std::string& body) {
    return std::string(boost::json::parse(body).at("error").at("code").as_string());
  }

  std::atomic<int> attempts_{0};
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
};

TEST_F(ServerTest, InlineFirstHandlersThatNeedAStoreRunAgainOnAWorker) {
  auto cached = HttpCall(port_, "GET", "/maybe-cached/cached");
  EXPECT_EQ(cached.status, 200);
  EXPECT_EQ(cached.body, R"({"inline":true})");
  EXPECT_EQ(attempts_.load(), 1);
  auto stored = HttpCall(port_, "GET", "/maybe-cached/other");
  EXPECT_EQ(stored.status, 200);
  EXPECT_EQ(stored.body, R"({"inline":false})") << "the second attempt must run where stores may be used";
  EXPECT_EQ(attempts_.load(), 3);
}

TEST_F(ServerTest, ServesJsonWithRequestId) {
  auto r = HttpCall(port_, "GET", "/hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"hello":"world"})");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["x-request-id"].size(), 16u);
  auto echoed = HttpCall(port_, "GET", "/hello", "", {{"X-Request-Id", "client-abc-123"}});
  EXPECT_EQ(echoed.headers["x-request-id"], "client-abc-123");
  auto unsafe = HttpCall(port_, "GET", "/hello", "", {{"X-Request-Id", "evil id\" with spaces"}});
  EXPECT_NE(unsafe.headers["x-request-id"], "evil id\" with spaces");
}

TEST_F(ServerTest, PathAndQueryParametersAreDecoded) {
  auto r = HttpCall(port_, "GET", "/items/a%20b?q=x%26y");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"id":"a b","q":"x&y"})");
}

TEST_F(ServerTest, UnknownRouteIs404AndWrongMethodIs405) {
  auto unknown = HttpCall(port_, "GET", "/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(unknown.body), "not_found");
  auto wrong = HttpCall(port_, "DELETE", "/hello");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers["allow"], "GET");
  EXPECT_EQ(ErrorCode(wrong.body), "method_not_allowed");
}

TEST_F(ServerTest, BadJsonIs400) {
  auto r = HttpCall(port_, "POST", "/echo", "{\"a\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r.body), "bad_request");
  EXPECT_EQ(HttpCall(port_, "POST", "/echo", R"({"a":[1,2]})").body, R"({"a":[1,2]})");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  auto r = HttpCall(port_, "POST", "/echo", std::string(10000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorCode(r.body), "payload_too_large");
  // Chunked bodies are limited too.
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i)
    chunked += "3e8\r\n" + std::string(1000, 'a') + "\r\n";
  chunked += "0\r\n\r\n";
  auto raw = RawExchange(port_, chunked);
  EXPECT_NE(raw.find("HTTP/1.1 413"), std::string::npos) << raw;
}

TEST_F(ServerTest, MalformedHttpIs400AndTheServerKeepsServing) {
  for (const std::string& garbage :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /hello HTTP/1.1\r\nContent-Length: nope\r\n\r\n"),
        std::string("\x00\x01\x02\r\n\r\n", 7), std::string("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n")}) {
    auto raw = RawExchange(port_, garbage);
    EXPECT_NE(raw.find("HTTP/1.1 400"), std::string::npos) << "for input: " << garbage << "\ngot: " << raw;
    EXPECT_NE(raw.find("\"code\":\"malformed_request\""), std::string::npos) << raw;
  }
  auto huge_header = "GET /hello HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_NE(RawExchange(port_, huge_header).find("HTTP/1.1 431"), std::string::npos);
  EXPECT_EQ(HttpCall(port_, "GET", "/hello").status, 200);
}

TEST_F(ServerTest, StoreErrorIs503AndBugIs500WithJson) {
  auto down = HttpCall(port_, "GET", "/store-down");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(ErrorCode(down.body), "store_unavailable");
  EXPECT_EQ(down.headers["retry-after"], "1");
  auto bug = HttpCall(port_, "GET", "/bug");
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(ErrorCode(bug.body), "internal");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto raw = RawExchange(port_,
                         "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /items/7 HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (auto pos = raw.find("HTTP/1.1 200"); pos != std::string::npos; pos = raw.find("HTTP/1.1 200", pos + 1))
    ++count;
  EXPECT_EQ(count, 3u) << raw;
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  auto raw = RawExchange(
      port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n{}", 1000);
  EXPECT_NE(raw.find("HTTP/1.1 100 Continue"), std::string::npos) << raw;
  EXPECT_NE(raw.find("HTTP/1.1 200"), std::string::npos) << raw;
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  HttpCall(port_, "GET", "/hello");
  HttpCall(port_, "GET", "/nope");
  auto text = metrics_.Serialize();
  EXPECT_NE(text.find(R"(cinerec_http_requests_total{method="GET",route="/hello",status="200"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(route="unmatched",status="404")"), std::string::npos) << text;
  EXPECT_NE(text.find("cinerec_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequests) {
  auto slow = std::async(std::launch::async, [this] { return HttpCall(port_, "GET", "/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Stop();
  auto result = slow.get();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.headers["connection"], "close");
}

}  // namespace
}  // namespace cinerec::http
