// S3ObjectStore's transport failures, against local sockets (no S3 server needed): a refused connection and a
// server that accepts but never answers both become StoreError within the configured timeout.
#include "storage/s3/s3_object_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "common/config.h"
#include "common/errors.h"

namespace cinerec {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A listening TCP socket on 127.0.0.1 that never accepts: connections complete (kernel backlog), answers
// never come.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { Close(); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

S3Config ConfigFor(const std::string& endpoint, milliseconds timeout) {
  S3Config config;
  config.endpoint = endpoint;
  config.bucket = "unit";
  config.access_key = "key";
  config.secret_key = "secret";
  config.timeout = timeout;
  return config;
}

TEST(S3ObjectStoreTest, RefusedConnectionThrowsStoreErrorAfterRetries) {
  SilentServer server;
  const std::string endpoint = server.Endpoint();
  server.Close();  // nothing listens on the port any more: connections are refused
  S3ObjectStore store(ConfigFor(endpoint, milliseconds(1000)),
                      {.max_attempts = 3, .first_backoff = milliseconds(10)});
  try {
    store.Put("k", "v", "text/plain");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.store(), "s3");
    const std::string message = e.what();
    EXPECT_NE(message.find("PUT unit/k"), std::string::npos) << message;
    EXPECT_NE(message.find("3 attempts"), std::string::npos) << message;
  }
  EXPECT_THROW(store.Ping(), StoreError);
}

TEST(S3ObjectStoreTest, SilentServerTimesOutWithinTheConfiguredTimeout) {
  SilentServer server;
  S3ObjectStore store(ConfigFor(server.Endpoint(), milliseconds(300)), {.max_attempts = 3});
  const auto start = steady_clock::now();
  EXPECT_THROW(store.Get("k"), StoreError);
  const auto elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  // A timeout is not retried: the caller's budget is spent.
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST(S3ObjectStoreTest, RejectsInvalidKeysBeforeAnyRequest) {
  S3ObjectStore store(ConfigFor("http://127.0.0.1:1", milliseconds(100)));
  EXPECT_THROW(store.Head(""), std::invalid_argument);
  EXPECT_THROW(store.Put(std::string(1025, 'k'), "v", "text/plain"), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec
