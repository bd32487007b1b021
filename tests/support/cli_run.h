#pragma once
// Processes for tests: the real `cinerec` binary (CINEREC_BINARY) with a test's configuration in its
// environment (exit codes, messages, what lands in the stores), shell commands, and the AWS CLI against the
// test stack's S3 (to check what the project wrote with a second, independent client).
#include <filesystem>
#include <string>
#include <utility>

#include "common/config.h"

namespace cinerec::testing {

struct CliRun {
  int code = -1;       // exit code; -1 when the process could not run or did not exit normally
  std::string output;  // stdout, then stderr interleaved as written (2>&1)
};

CliRun RunCinerec(const Config& config, const std::string& args);

// `text` as one single-quoted shell word.
std::string ShellQuote(const std::string& text);
// Runs `command` with /bin/sh, " 2>&1" appended; {exit code (-1 if it did not exit normally), output}.
std::pair<int, std::string> RunShell(const std::string& command);
// /usr/bin/aws against the test stack's S3 with only the stack's credentials (no profile, CA bundle or token
// of the caller leaking in), as scripts/stack.sh's s3_cli.
std::pair<int, std::string> RunAwsCli(const S3Config& config, const std::string& arguments);
// The whole content of a file a command wrote ("" when it cannot be read).
std::string ReadWholeFile(const std::filesystem::path& path);

}  // namespace cinerec::testing
