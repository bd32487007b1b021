#include "ingest/line_reader.h"

#include <spdlog/spdlog.h>

#include <fstream>

#include "ingest/text.h"

namespace cinerec::ingest {

LineFileStats ForEachLine(const std::string& path, bool has_header, const ReadOptions& options,
                          const std::function<void(std::string_view)>& parse, std::uint64_t* bytes_read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IngestError(path + ": cannot open");
  LineFileStats stats;
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (bytes_read) *bytes_read += line.size() + 1;
    if (number == 1 && has_header) continue;
    auto text = StripCr(line);
    if (text.empty()) continue;
    try {
      parse(text);
      ++stats.rows;
    } catch (const BadRow& e) {
      std::string where = path + ":" + std::to_string(number) + ": " + e.what();
      if (!options.skip_bad_rows) throw IngestError(where);
      if (stats.skipped < 10) spdlog::warn("skipping malformed row {}", where);
      ++stats.skipped;
    }
  }
  return stats;
}

}  // namespace cinerec::ingest
