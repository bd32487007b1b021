#pragma once
// The `cinerec` subcommands. Each returns the process exit code; main() only parses the command line.
#include <string>
#include <vector>

namespace cinerec {

struct Config;

// Parses argv and runs the chosen subcommand.
int RunCli(int argc, char** argv);

int RunServe(const Config& config);
int RunMigrate(const Config& config);

}  // namespace cinerec
