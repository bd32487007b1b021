#include "support/cli_run.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/http_test_client.h"  // ConfigToEnvironment

namespace cinerec::testing {

CliRun RunCinerec(const Config& config, const std::string& args) {
  std::string env;
  for (const auto& e : ConfigToEnvironment(config))
    env += "'" + e + "' ";
  auto [code, output] = RunShell("env " + env + CINEREC_BINARY + " " + args);
  return CliRun{code, std::move(output)};
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::pair<int, std::string> RunShell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(output)};
}

std::pair<int, std::string> RunAwsCli(const S3Config& config, const std::string& arguments) {
  return RunShell(
      "env -u AWS_CA_BUNDLE -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN AWS_CONFIG_FILE="
      + ShellQuote(std::string(CINEREC_SOURCE_DIR) + "/.local/test/aws.config")
      + " AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER="
      + " AWS_ACCESS_KEY_ID=" + ShellQuote(config.access_key) + " AWS_SECRET_ACCESS_KEY="
      + ShellQuote(config.secret_key) + " AWS_DEFAULT_REGION=" + ShellQuote(config.region)
      + " /usr/bin/aws --endpoint-url " + ShellQuote(config.endpoint) + " " + arguments);
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace cinerec::testing
