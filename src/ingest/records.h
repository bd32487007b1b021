#pragma once
// The plain records that flow from a source (a MovieLens reader or the generator) to the bulk writer.
// Ids are the source's ids; the writer maps them to database ids (identity, or new ids with --remap-ids).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cinerec::ingest {

struct MovieRecord {
  std::int64_t id = 0;
  std::string title;                // UTF-8, without the "(Year)" suffix when one was parsed off
  std::optional<int> year;          // 1870-2100 when known
  std::vector<std::string> genres;  // names as the source spells them ("Children's", "Sci-Fi", ...)
  std::string description;
  std::optional<int> duration_s;  // > 0 when known
  std::string imdb;               // "tt0114709", "" when unknown
  std::optional<std::int64_t> tmdb;
  std::vector<std::string> tags;  // distinct user tags (ml-latest tags.csv), at most kMaxTagsPerMovie
};

// Bounds what tags.csv adds to movies.extra (which the schema caps at 64 KiB).
inline constexpr std::size_t kMaxTagsPerMovie = 50;
inline constexpr std::size_t kMaxTagBytes = 100;

struct UserRecord {
  std::int64_t id = 0;
};

// One MovieLens rating: stars 0.5-5.
struct RatingRecord {
  std::int64_t user = 0;
  std::int64_t movie = 0;
  double rating = 0;
  std::int64_t timestamp = 0;  // unix seconds (UTC)
};

// One watch session as the stores record it: a view row, a view_start + view_stop event pair, and an
// optional reaction.
struct Interaction {
  std::int64_t user = 0;  // source ids
  std::int64_t movie = 0;
  std::int64_t stop_time = 0;  // unix seconds of the end of the session (the rating time for imports)
  int watched_s = 0;           // seconds watched; the session started at stop_time - watched_s
  bool completed = true;
  int reaction = 0;         // +1 like, -1 dislike, 0 none
  std::string session_key;  // unique per user and deterministic: re-writing it adds nothing
  std::string device;
};

}  // namespace cinerec::ingest
