#pragma once
// Writes user profiles (training/user_features.h) to the object store as a feature set other tools can read
// (docs/training.md, "User features"):
//
//   features/<date>/part-00000.jsonl.gz  gzip'd JSON lines, one object per user, sorted by user id
//   features/<date>/schema.json          every field: name, type, meaning; the genre order; the factor count
//   features/<date>/_manifest.json       written last: rows, parts with their row counts, sizes and SHA-256
//
// <date> is the UTC date of `as_of` (YYYY-MM-DD). A folder without _manifest.json is incomplete: a second
// run on the same day first deletes the old manifest, then rewrites the parts, then writes the new manifest
// and finally deletes parts the new manifest does not list. Readers go through the manifest and can check
// each part's SHA-256. Throws StoreError when S3 fails; nothing is half-published that looks complete.
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "training/pg_user_activity_reader.h"
#include "training/user_features.h"

namespace cinerec {
class ObjectStore;
}

namespace cinerec::training {

inline constexpr std::string_view kFeaturesPrefix = "features/";
inline constexpr std::string_view kFeaturesManifest = "_manifest.json";
inline constexpr std::string_view kFeaturesSchema = "schema.json";
inline constexpr int kFeaturesFormat = 1;

struct FeatureSetOptions {
  std::string prefix = std::string(kFeaturesPrefix);  // ends with '/'
  std::int64_t as_of_ms = 0;                          // recency reference; also names the folder
  std::size_t rows_per_part = 100000;                 // >= 1
  std::string model_version;                          // the model the factor vectors come from
  boost::json::object window;  // {"since": ..., "until": ...}, recorded in the manifest
};

struct FeatureSetResult {
  std::string folder;  // "features/2026-11-24/"
  std::int64_t rows = 0;
  std::int64_t rows_with_factors = 0;
  std::size_t parts = 0;
  std::uint64_t bytes = 0;  // compressed, all parts
};

FeatureSetResult WriteFeatureSet(ObjectStore& objects, const UserActivity& activity,
                                 const UserFactorIndex& factors, const FeatureSetOptions& options);

// One JSON line (without the newline): the profile, its factor vector (null when empty) and days_since_last.
std::string FormatProfileLine(const UserProfile& profile, std::span<const float> factors,
                              std::int64_t as_of_ms);
// The schema.json document.
std::string FeatureSchemaJson(std::span<const std::string> genres, std::size_t factors);
// A gzip stream (RFC 1952, no file name or time stamp: the same input gives the same bytes).
std::string Gzip(std::string_view data);
// "2026-11-24T16:50:00.123Z" / "2026-11-24".
std::string FormatUtcMillis(std::int64_t unix_ms);
std::string FormatUtcDate(std::int64_t unix_ms);

}  // namespace cinerec::training
