#pragma once
// A TCP forwarder between one `cinerec serve` under test and one server of the shared test stack, so that a
// test can take that server away from this one process while every other test (and agent) keeps using it:
// the shared stack is never stopped. Cut() drops every forwarded connection and refuses new ones (accepted
// and closed at once, so the client fails fast, as with a crashed server); Restore() forwards again.
#include <memory>
#include <string>

namespace cinerec::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 at a free port; forwards to host:port.
  TcpProxy(const std::string& host, unsigned short port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  unsigned short port() const;
  void Cut();      // returns once every open connection is closed
  void Restore();  // new connections are forwarded again

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `url` (scheme://[user@]host:port[/...]) with its host and port replaced by 127.0.0.1:`port`; also returns
// the original host and port through the out parameters.
std::string RedirectUrl(const std::string& url, unsigned short port, std::string* host = nullptr,
                        unsigned short* original_port = nullptr);

}  // namespace cinerec::testing
