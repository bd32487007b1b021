#include "support/tcp_proxy.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>

namespace cinerec::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// One forwarded connection: client <-> server, one read loop per direction. Lives while either loop runs;
// every member is touched on the proxy's single I/O thread only.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket client, asio::io_context& io) : client_(std::move(client)), server_(io) {}

  void Start(const tcp::endpoint& target) {
    server_.async_connect(target, [self = shared_from_this()](const boost::system::error_code& error) {
      if (error) return self->Close();
      self->Pump(self->client_, self->server_, self->upstream_);
      self->Pump(self->server_, self->client_, self->downstream_);
    });
  }

  void Close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
  }

 private:
  using Buffer = std::array<char, 16384>;

  void Pump(tcp::socket& from, tcp::socket& to, Buffer& buffer) {
    from.async_read_some(asio::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer](
                                                   const boost::system::error_code& error, std::size_t n) {
      if (error) return self->Close();
      asio::async_write(
          to, asio::buffer(buffer.data(), n),
          [self, &from, &to, &buffer](const boost::system::error_code& write_error, std::size_t) {
            if (write_error) return self->Close();
            self->Pump(from, to, buffer);
          });
    });
  }

  tcp::socket client_;
  tcp::socket server_;
  Buffer upstream_{};
  Buffer downstream_{};
};

}  // namespace

struct TcpProxy::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::endpoint target;
  std::atomic<bool> cut{false};
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;  // I/O thread only
  std::thread thread;

  void Accept() {
    acceptor.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
      if (error == asio::error::operation_aborted) return;
      if (!error) {
        if (cut.load()) {
          boost::system::error_code ignored;
          socket.close(ignored);  // the "server" is down: the client sees the connection end at once
        } else {
          auto session = std::make_shared<Session>(std::move(socket), io);
          sessions.insert(session);
          session->Start(target);
        }
      }
      Accept();
    });
  }

  // Runs `fn` on the I/O thread and waits for it.
  template <typename Fn>
  void OnIoThread(Fn fn) {
    std::promise<void> done;
    asio::post(io, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  void CloseSessions() {
    for (const auto& weak : sessions)
      if (const auto session = weak.lock()) session->Close();
    sessions.clear();
  }
};

TcpProxy::TcpProxy(const std::string& host, unsigned short port) : impl_(std::make_unique<Impl>()) {
  tcp::resolver resolver(impl_->io);
  const auto results = resolver.resolve(host, std::to_string(port));
  if (results.empty()) throw std::runtime_error("TcpProxy: cannot resolve " + host);
  impl_->target = *results.begin();
  const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(local.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(local);
  impl_->acceptor.listen();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TcpProxy::~TcpProxy() {
  impl_->OnIoThread([impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->CloseSessions();
  });
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short TcpProxy::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void TcpProxy::Cut() {
  impl_->cut = true;
  impl_->OnIoThread([impl = impl_.get()] { impl->CloseSessions(); });
}

void TcpProxy::Restore() {
  impl_->cut = false;
}

std::string RedirectUrl(const std::string& url, unsigned short port, std::string* host,
                        unsigned short* original_port) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) throw std::invalid_argument("RedirectUrl: no scheme in " + url);
  auto start = scheme + 3;
  auto end = url.find('/', start);
  if (end == std::string::npos) end = url.size();
  if (const auto at = url.rfind('@', end); at != std::string::npos && at >= start) start = at + 1;
  const auto colon = url.rfind(':', end);
  if (colon == std::string::npos || colon < start)
    throw std::invalid_argument("RedirectUrl: no port in " + url);
  if (host) *host = url.substr(start, colon - start);
  if (original_port)
    *original_port = static_cast<unsigned short>(std::stoi(url.substr(colon + 1, end - colon - 1)));
  return url.substr(0, start) + "127.0.0.1:" + std::to_string(port) + url.substr(end);
}

}  // namespace cinerec::testing
