#pragma once
// MovieLens data sets in their published formats, read as a stream of records.
//
//   ml-100k : u.item (pipe-separated, 19 genre flags, Latin-1), u.user, u.data (tab-separated ratings)
//   ml-1m   : movies.dat, users.dat, ratings.dat ("::"-separated, Latin-1)
//   ml-latest (also -small, 20m, 25m, 32m): movies.csv, ratings.csv, optional links.csv (UTF-8, headers,
//             RFC 4180 quoting)
//
// Every string handed out is UTF-8. Malformed rows throw IngestError naming file and line unless
// ReadOptions::skip_bad_rows, which skips and counts them (skipped_rows()). Not thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ingest/line_reader.h"
#include "ingest/records.h"

namespace cinerec::ingest {

class MovieLensSource {
 public:
  virtual ~MovieLensSource() = default;
  // "ml-100k", "ml-1m" or "ml-latest": also the prefix of external ids and synthetic emails.
  virtual std::string format() const = 0;
  // Movies with their genres and (ml-latest, when links.csv is there) imdb/tmdb ids.
  virtual void ReadMovies(const std::function<void(MovieRecord&&)>& fn) = 0;
  // Users from the users file; ml-latest has none (users then come from the ratings alone).
  virtual void ReadUsers(const std::function<void(const UserRecord&)>& fn) = 0;
  virtual void ReadRatings(const std::function<void(const RatingRecord&)>& fn) = 0;
  // Size of the ratings file and how much of it ReadRatings has consumed: for progress and ETA.
  virtual std::uint64_t ratings_file_bytes() const = 0;
  std::uint64_t ratings_bytes_read() const { return ratings_bytes_read_; }
  std::uint64_t skipped_rows() const { return skipped_; }

 protected:
  std::uint64_t ratings_bytes_read_ = 0;
  std::uint64_t skipped_ = 0;
};

// The format of the files in `dir`: "ml-100k" (u.data), "ml-1m" (ratings.dat) or "ml-latest"
// (ratings.csv). Throws IngestError when none is there.
std::string DetectMovieLensFormat(const std::string& dir);

// Opens `dir` as `format` ("" = detect). Throws IngestError for an unknown format or a missing file.
std::unique_ptr<MovieLensSource> OpenMovieLens(const std::string& dir, const std::string& format,
                                               const ReadOptions& options);

// Per-format constructors (one file each).
std::unique_ptr<MovieLensSource> OpenMl100k(const std::string& dir, const ReadOptions& options);
std::unique_ptr<MovieLensSource> OpenMl1m(const std::string& dir, const ReadOptions& options);
std::unique_ptr<MovieLensSource> OpenMlLatest(const std::string& dir, const ReadOptions& options);

}  // namespace cinerec::ingest
