#pragma once
// Runs the real `cinerec` binary (CINEREC_BINARY) as a process with a test's configuration in its
// environment, for tests of the command line (exit codes, messages, what lands in the stores).
#include <string>

#include "common/config.h"

namespace cinerec::testing {

struct CliRun {
  int code = -1;       // exit code; -1 when the process could not run or did not exit normally
  std::string output;  // stdout, then stderr interleaved as written (2>&1)
};

CliRun RunCinerec(const Config& config, const std::string& args);

}  // namespace cinerec::testing
