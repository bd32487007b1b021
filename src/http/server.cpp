#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <optional>
#include <random>
#include <thread>

#include "common/errors.h"
#include "common/logging.h"
#include "common/non_blocking.h"
#include "http/metrics.h"
#include "http/router.h"

namespace cinerec::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kMaxRequestIdLength = 64;

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t value = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4)
    id[static_cast<std::size_t>(i)] = kHex[value & 0xf];
  return id;
}

// A client-supplied X-Request-Id is kept only if it is short and harmless in logs.
bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

namespace {

// http.io_threads 0: one event-loop thread per core. The list routes run on those threads when they need no
// store I/O (Execution::kInlineFirst), so a thread per core is what keeps every core answering.
HttpConfig Resolved(HttpConfig config) {
  if (config.io_threads <= 0)
    config.io_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return config;
}

}  // namespace

struct Server::Impl {
  Impl(const HttpConfig& c, const Router& r, Metrics& m)
      : config(Resolved(c)),
        router(r),
        metrics(m),
        ioc(config.io_threads),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        workers(static_cast<std::size_t>(c.worker_threads)),
        signals(ioc, SIGINT, SIGTERM) {}

  HttpConfig config;
  const Router& router;
  Metrics& metrics;
  asio::io_context ioc;
  tcp::acceptor acceptor;           // on its own strand: accept, stop and signals never race
  asio::steady_timer accept_retry;  // back-off after accept errors such as EMFILE
  asio::thread_pool workers;
  asio::signal_set signals;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::size_t> queued{0};

  void Accept();
  void AddInFlight(std::int64_t delta) { metrics.SetInFlight(in_flight += delta); }
  void BeginStop();
  void WaitForDrain(std::shared_ptr<asio::steady_timer> timer,
                    std::chrono::steady_clock::time_point deadline);
  Response Handle(const Route& route, Request& request) const;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }

  ~Session() { Uncount(); }

  void Start() { ReadHeader(/*first=*/true); }

 private:
  void ReadHeader(bool first) {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_.config.max_body_bytes);
    stream_.expires_after(first ? server_.config.read_timeout : server_.config.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    started_ = std::chrono::steady_clock::now();
    // A request counts as in flight from its complete header until its response is written: graceful stop
    // waits for exactly these.
    counted_ = true;
    server_.AddInFlight(1);
    const auto& header = parser_->get();
    if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
      // Clients such as curl wait for this before sending a large body.
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, header.version());
      stream_.expires_after(server_.config.read_timeout);
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(server_.config.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof
        || ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return Close();
    }
    // The client sent something we cannot parse or accept: answer once, then close the connection.
    started_ = std::chrono::steady_clock::now();
    Request request;
    request.request_id = NewRequestId();
    request.method = "-";
    request.remote_address = remote_;
    Response response;
    if (ec == bhttp::error::body_limit) {
      response =
          Response::Error(413, "payload_too_large",
                          "request body exceeds " + std::to_string(server_.config.max_body_bytes) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
      response = Response::Error(431, "headers_too_large", "request headers exceed 16 KiB");
    } else {
      response = Response::Error(400, "malformed_request", "malformed HTTP request: " + ec.message());
    }
    Write(std::move(request), "unmatched", std::move(response), /*keep_alive=*/false);
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto raw = parser_->release();
    Request request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    request.remote_address = remote_;
    request.body = std::move(raw.body());
    for (const auto& field : raw) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    auto supplied_id = request.Header("x-request-id");
    request.request_id =
        supplied_id && IsAcceptableRequestId(*supplied_id) ? std::string(*supplied_id) : NewRequestId();
    bool keep_alive = raw.keep_alive();

    auto url = boost::urls::parse_origin_form(request.target);
    if (!url) {
      return Write(std::move(request), "unmatched",
                   Response::Error(400, "bad_target", "the request target is not a valid path"), false);
    }
    request.path = std::string(url->path());
    for (auto param : url->params())
      request.query[std::string(param.key)] = std::string(param.value);

    auto match = server_.router.Match(request);
    if (!match.route) {
      Response response = match.status == 405
                              ? Response::Error(405, "method_not_allowed",
                                                request.method + " is not allowed on " + request.path
                                                    + " (allowed: " + match.allow + ")")
                              : Response::Error(404, "not_found", "no route for " + request.path);
      if (match.status == 405) response.headers.emplace_back("Allow", match.allow);
      return Write(std::move(request), "unmatched", std::move(response), keep_alive);
    }

    const Route& route = *match.route;
    if (route.execution == Execution::kInline) {
      Response response = server_.Handle(route, request);
      return Write(std::move(request), route.pattern, std::move(response), keep_alive);
    }
    if (route.execution == Execution::kInlineFirst) {
      std::optional<Response> response;
      try {
        NonBlockingScope no_io;
        response = server_.Handle(route, request);
      } catch (const WouldBlock&) {  // it needs a store: run it again on a worker, below
      }
      if (response) return Write(std::move(request), route.pattern, std::move(*response), keep_alive);
    }
    if (server_.queued.load() >= server_.config.max_queued_requests) {
      Response response = Response::Error(503, "overloaded", "too many requests waiting; retry shortly");
      response.headers.emplace_back("Retry-After", "1");
      return Write(std::move(request), route.pattern, std::move(response), keep_alive);
    }
    ++server_.queued;
    asio::post(server_.workers, [self = shared_from_this(), &route, request = std::move(request),
                                 keep_alive]() mutable {
      --self->server_.queued;
      Response response = self->server_.Handle(route, request);
      asio::post(self->stream_.get_executor(), [self, &route, request = std::move(request),
                                                response = std::move(response), keep_alive]() mutable {
        self->Write(std::move(request), route.pattern, std::move(response), keep_alive);
      });
    });
  }

  void Write(Request request, const std::string& route, Response response, bool keep_alive) {
    keep_alive = keep_alive && !server_.draining.load();
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), 11);
    message->set(bhttp::field::server, "cinerec");
    message->set(bhttp::field::content_type, response.content_type);
    message->set("X-Request-Id", request.request_id);
    for (auto& [name, value] : response.headers)
      message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();

    auto latency = std::chrono::steady_clock::now() - started_;
    server_.metrics.RecordRequest(request.method, route, response.status, latency);
    if (server_.config.access_log) {
      ScopedRequestId id(request.request_id);
      spdlog::info("access method={} target={} status={} bytes={} duration_ms={:.3f} remote={}",
                   request.method, request.target.empty() ? "-" : request.target, response.status,
                   message->body().size(), std::chrono::duration<double, std::milli>(latency).count(),
                   remote_);
    }
    stream_.expires_after(server_.config.read_timeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message, keep_alive](beast::error_code ec, std::size_t) {
                         self->Uncount();
                         if (ec) return self->Close();
                         if (!keep_alive) return self->LingeringClose();
                         self->ReadHeader(/*first=*/false);
                       });
  }

  void Uncount() {
    if (counted_) {
      counted_ = false;
      server_.AddInFlight(-1);
    }
  }

  void Close() {
    Uncount();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  // After answering a request we refused (413, 400, ...) the client may still be sending its body. Closing at
  // once would make the kernel reset the connection, and the client could lose our answer; so stop sending,
  // then read and discard what still arrives, for a bounded time and size, and only then close.
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    Discard();
  }

  void Discard() {
    discard_buffer_.resize(16 * 1024);
    stream_.async_read_some(asio::buffer(discard_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > kMaxLingerBytes) return self->Close();
                              self->Discard();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  std::string remote_;
  std::chrono::steady_clock::time_point started_;
  bool counted_ = false;
  std::string discard_buffer_;
  std::size_t discarded_ = 0;
  static constexpr std::size_t kMaxLingerBytes = 8u << 20;
};

}  // namespace

Response Server::Impl::Handle(const Route& route, Request& request) const {
  ScopedRequestId id(request.request_id);
  try {
    Response response = route.handler(request);
    if (response.status < 100 || response.status > 599) {
      spdlog::error("handler for {} {} returned invalid status {}", request.method, route.pattern,
                    response.status);
      return Response::Error(500, "internal", "internal error; quote request id " + request.request_id);
    }
    return response;
  } catch (const ApiError& e) {
    return Response::Error(e.status(), e.code(), e.what());
  } catch (const StoreError& e) {
    metrics.RecordStoreError(e.store());
    spdlog::warn("store unavailable while serving {} {}: {}", request.method, route.pattern, e.what());
    Response response =
        Response::Error(503, "store_unavailable", e.store() + " is unavailable; retry shortly");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  } catch (const std::exception& e) {
    spdlog::error("unhandled error serving {} {}: {}", request.method, route.pattern, e.what());
    return Response::Error(500, "internal", "internal error; quote request id " + request.request_id);
  }
}

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      // Typically EMFILE: retrying at once would spin; give connections time to close.
      spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor.is_open()) Accept();
      });
      return;
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

void Server::Impl::BeginStop() {
  if (draining.exchange(true)) return;
  spdlog::info("http: stopping; {} request(s) in flight", in_flight.load());
  beast::error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  signals.cancel(ignored);
  auto timer = std::make_shared<asio::steady_timer>(ioc);
  WaitForDrain(timer, std::chrono::steady_clock::now() + config.shutdown_grace);
}

void Server::Impl::WaitForDrain(std::shared_ptr<asio::steady_timer> timer,
                                std::chrono::steady_clock::time_point deadline) {
  if (in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (in_flight.load() > 0) {
      spdlog::warn("http: grace period over with {} request(s) in flight", in_flight.load());
      workers.stop();  // queued handlers that have not started are abandoned
    }
    ioc.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([this, timer, deadline](beast::error_code) { WaitForDrain(timer, deadline); });
}

Server::Server(const HttpConfig& config, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(config, router, metrics)) {
  auto [host, port] = ParseHostPort("http.addr", config.addr);
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("http.addr: '" + host + "' is not an IP address");
  tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + config.addr + ": " + ec.message());
}

Server::~Server() {
  impl_->workers.join();
}

std::uint16_t Server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void Server::Run() {
  impl_->signals.async_wait([this](beast::error_code ec, int signal) {
    if (!ec) {
      spdlog::info("http: signal {} received", signal);
      asio::post(impl_->acceptor.get_executor(), [this] { impl_->BeginStop(); });
    }
  });
  impl_->Accept();
  spdlog::info("http: listening on {} ({} I/O thread(s), {} worker(s))", impl_->config.addr,
               impl_->config.io_threads, impl_->config.worker_threads);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->config.io_threads; ++i)
    threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads)
    t.join();
  impl_->workers.join();
  spdlog::info("http: stopped");
}

void Server::Stop() {
  asio::post(impl_->acceptor.get_executor(), [this] { impl_->BeginStop(); });
}

}  // namespace cinerec::http
