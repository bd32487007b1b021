#pragma once
// The `cinerec` subcommands. Each returns the process exit code; main() only parses the command line.
#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace cinerec {

struct Config;

// Parses argv and runs the chosen subcommand.
int RunCli(int argc, char** argv);

int RunServe(const Config& config);
int RunMigrate(const Config& config);

// `cinerec import DIR` (docs/import.md).
struct ImportArgs {
  std::string dir;
  std::string format;  // "" = detect from the files
  bool remap_ids = false;
  bool skip_bad_rows = false;
  double like_threshold = 4;
  double dislike_threshold = 2;
  bool if_empty = false;  // do nothing (exit 0) when the database already has movies: for `make run`
};
int RunImport(const Config& config, const ImportArgs& args);

// `cinerec generate` (docs/import.md).
struct GenerateArgs {
  std::int64_t users = 2000;
  std::int64_t movies = 1000;
  std::int64_t interactions = 50000;
  std::uint64_t seed = 42;
  int days = 365;
  std::int64_t end_time = 0;  // 0 = today's midnight UTC
  std::string out_dir;        // non-empty: write MovieLens CSV there instead of the stores
  bool remap_ids = false;
  bool if_empty = false;
};
int RunGenerate(const Config& config, const GenerateArgs& args);

// `cinerec models list | show VERSION | publish VERSION | rollback | retain N` (docs/model-store.md).
struct ModelsArgs {
  std::string version;
  std::size_t keep = 0;
};
// Registers the subcommand (it fills `args`); RunModels gets it back once parsed.
CLI::App* AddModelsCommand(CLI::App& app, ModelsArgs& args);
int RunModels(const Config& config, const CLI::App& command, const ModelsArgs& args);

}  // namespace cinerec
