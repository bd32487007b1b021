#include "ingest/movielens_source.h"

#include <filesystem>

#include "ingest/text.h"

namespace cinerec::ingest {

std::string DetectMovieLensFormat(const std::string& dir) {
  namespace fs = std::filesystem;
  if (fs::exists(fs::path(dir) / "u.data")) return "ml-100k";
  if (fs::exists(fs::path(dir) / "ratings.dat")) return "ml-1m";
  if (fs::exists(fs::path(dir) / "ratings.csv")) return "ml-latest";
  throw IngestError(dir + ": no MovieLens ratings file (u.data, ratings.dat or ratings.csv); name the format "
                          "with --format if the files are renamed");
}

std::unique_ptr<MovieLensSource> OpenMovieLens(const std::string& dir, const std::string& format,
                                               const ReadOptions& options) {
  const std::string chosen = format.empty() ? DetectMovieLensFormat(dir) : format;
  if (chosen == "ml-100k") return OpenMl100k(dir, options);
  if (chosen == "ml-1m" || chosen == "ml-10m") return OpenMl1m(dir, options);
  if (chosen == "ml-latest" || chosen == "ml-latest-small" || chosen == "ml-20m" || chosen == "ml-25m"
      || chosen == "ml-32m")
    return OpenMlLatest(dir, options);
  throw IngestError("unknown format '" + chosen + "' (expected ml-100k, ml-1m or ml-latest)");
}

}  // namespace cinerec::ingest
