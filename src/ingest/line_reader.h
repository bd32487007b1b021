#pragma once
// Reads a text file line by line for the MovieLens readers and turns a row parser's BadRow into either an
// IngestError naming file and line, or (skip_bad_rows) a skipped, counted row.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace cinerec::ingest {

struct ReadOptions {
  bool skip_bad_rows = false;
};

struct LineFileStats {
  std::uint64_t rows = 0;     // rows handed to the parser without error
  std::uint64_t skipped = 0;  // malformed rows skipped (only with skip_bad_rows)
};

// Calls parse(line) for each line of `path` (without the line end; a trailing '\r' removed; empty lines
// ignored; the first line skipped when has_header). `bytes_read`, when given, is updated as the file is
// consumed (for progress). Throws IngestError when the file cannot be opened, or when parse throws BadRow
// and !options.skip_bad_rows: "<path>:<line>: <reason>".
LineFileStats ForEachLine(const std::string& path, bool has_header, const ReadOptions& options,
                          const std::function<void(std::string_view)>& parse,
                          std::uint64_t* bytes_read = nullptr);

}  // namespace cinerec::ingest
