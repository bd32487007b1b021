#include "support/cli_run.h"

#include <sys/wait.h>

#include <cstdio>

#include "support/http_test_client.h"  // ConfigToEnvironment

namespace cinerec::testing {

CliRun RunCinerec(const Config& config, const std::string& args) {
  std::string env;
  for (const auto& e : ConfigToEnvironment(config))
    env += "'" + e + "' ";
  const std::string command = "env " + env + CINEREC_BINARY + " " + args + " 2>&1";
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe))
    run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace cinerec::testing
