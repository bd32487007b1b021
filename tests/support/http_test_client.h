#pragma once
// A small blocking HTTP client for tests, plus a handle on a `cinerec serve` child process.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "common/config.h"

namespace cinerec::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

// One request on a new connection to 127.0.0.1:port.
HttpResult HttpCall(unsigned short port, const std::string& method, const std::string& target,
                    const std::string& body = "", const std::map<std::string, std::string>& headers = {});
// Sends raw bytes and returns whatever the server answers before closing (or timeout_ms passes).
std::string RawExchange(unsigned short port, const std::string& bytes, int timeout_ms = 3000);

// `cinerec serve` as a child process with the given config passed through CINEREC_* variables, on a free
// port.
class ServiceProcess {
 public:
  explicit ServiceProcess(const Config& config, const std::vector<std::string>& extra_args = {});
  ~ServiceProcess();  // SIGTERM, then SIGKILL after 10 s
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits; returns the exit status.
  int Terminate();
  void Kill();  // SIGKILL, no cleanup
  bool Running();

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string log_path_;
};

// Environment variable assignments ("CINEREC_POSTGRES_URL=...") that reproduce `config`.
std::vector<std::string> ConfigToEnvironment(const Config& config);

}  // namespace cinerec::testing
