#include "training/feature_writer.h"

#include <fmt/format.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <set>
#include <stdexcept>

#include "storage/s3/object_store.h"
#include "storage/s3/s3_digest.h"

namespace cinerec::training {
namespace {

std::tm UtcTm(std::int64_t unix_ms) {
  const std::time_t seconds =
      static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

void AppendFloat(std::string& out, float value) {
  if (std::isfinite(value)) {
    fmt::format_to(std::back_inserter(out), "{}", value);  // shortest form that reads back as the same float
  } else {
    out += "null";  // JSON has no NaN or infinity
  }
}

void AppendFloats(std::string& out, std::span<const float> values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendFloat(out, values[i]);
  }
  out += ']';
}

std::string PartName(std::size_t index) {
  return fmt::format("part-{:05}.jsonl.gz", index);
}

struct Field {
  const char* name;
  const char* type;
  const char* description;
};

// The line's fields, in the order FormatProfileLine writes them.
constexpr Field kFields[] = {
    {"user_id", "int64", "users.id in PostgreSQL"},
    {"factors", "array<float32>[factors] or null",
     "the user's ALS factor vector in the model named by the manifest's model_version; null when the model "
     "does not know the user (too few interactions, or new since training)"},
    {"genre_affinity", "array<float32>[genres]",
     "per genre, in the order of `genres`: share of the user's positive movies having that genre (a movie "
     "with several genres counts for each); all 0 without positive movies"},
    {"movies", "int64", "distinct movies with any view or reaction"},
    {"views", "int64", "watch sessions"},
    {"completed_views", "int64", "watch sessions completed (flag set or share watched >= completed_share)"},
    {"likes", "int64", "movies with a current like"},
    {"dislikes", "int64", "movies with a current dislike"},
    {"positive_movies", "int64", "movies liked, or completed at least once and not disliked"},
    {"first_interaction_at", "string (ISO-8601 UTC)", "earliest view start or reaction"},
    {"last_interaction_at", "string (ISO-8601 UTC)", "latest view event or reaction"},
    {"days_since_last", "float64", "days from last_interaction_at to the manifest's as_of (0 when later)"},
};

}  // namespace

std::string FormatUtcMillis(std::int64_t unix_ms) {
  const std::tm tm = UtcTm(unix_ms);
  const auto millis = ((unix_ms % 1000) + 1000) % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string FormatUtcDate(std::int64_t unix_ms) {
  const std::tm tm = UtcTm(unix_ms);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string FormatProfileLine(const UserProfile& p, std::span<const float> factors, std::int64_t as_of_ms) {
  std::string out;
  out.reserve(64 + 16 * (factors.size() + p.genre_affinity.size()));
  fmt::format_to(std::back_inserter(out), R"({{"user_id":{},"factors":)", p.user_id);
  if (factors.empty()) {
    out += "null";
  } else {
    AppendFloats(out, factors);
  }
  out += R"(,"genre_affinity":)";
  AppendFloats(out, p.genre_affinity);
  fmt::format_to(
      std::back_inserter(out),
      R"(,"movies":{},"views":{},"completed_views":{},"likes":{},"dislikes":{},"positive_movies":{})"
      R"(,"first_interaction_at":"{}","last_interaction_at":"{}","days_since_last":{:.4f}}})",
      p.movies, p.views, p.completed_views, p.likes, p.dislikes, p.positive_movies,
      FormatUtcMillis(p.first_ms), FormatUtcMillis(p.last_ms), DaysSince(p.last_ms, as_of_ms));
  return out;
}

std::string FeatureSchemaJson(std::span<const std::string> genres, std::size_t factors) {
  boost::json::array fields;
  for (const auto& f : kFields)
    fields.push_back({{"name", f.name}, {"type", f.type}, {"description", f.description}});
  boost::json::array genre_names;
  for (const auto& g : genres)
    genre_names.emplace_back(g);
  const boost::json::object schema{
      {"format", kFeaturesFormat},
      {"kind", "user_features"},
      {"encoding",
       "gzip-compressed JSON lines (UTF-8), one object per user, sorted by user_id; parts are "
       "listed in _manifest.json"},
      {"factors", factors},
      {"genres", std::move(genre_names)},
      {"fields", std::move(fields)}};
  return boost::json::serialize(schema) + "\n";
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper; the header deflate writes has no name and time stamp 0.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const auto written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  out.resize(written);
  return out;
}

FeatureSetResult WriteFeatureSet(ObjectStore& objects, const UserActivity& activity,
                                 const UserFactorIndex& factors, const FeatureSetOptions& options) {
  if (options.rows_per_part == 0) throw std::invalid_argument("rows_per_part must be at least 1");
  FeatureSetResult result;
  result.folder = options.prefix + FormatUtcDate(options.as_of_ms) + "/";
  const std::string manifest_key = result.folder + std::string(kFeaturesManifest);
  // The folder is incomplete from here until the new manifest is written.
  objects.Delete(manifest_key);

  boost::json::array parts;
  std::set<std::string> written;
  std::string lines;
  std::int64_t part_rows = 0;
  auto flush = [&] {
    if (part_rows == 0 && !parts.empty()) return;  // an empty feature set still has one (empty) part
    const std::string name = PartName(parts.size());
    const std::string gz = Gzip(lines);
    objects.Put(result.folder + name, gz, "application/gzip");
    parts.push_back(
        {{"file", name}, {"rows", part_rows}, {"bytes", gz.size()}, {"sha256", s3::Sha256Hex(gz)}});
    written.insert(name);
    result.bytes += gz.size();
    lines.clear();
    part_rows = 0;
  };
  for (const auto& profile : activity.profiles) {
    const auto vector = factors.Find(profile.user_id);
    result.rows_with_factors += vector.empty() ? 0 : 1;
    lines += FormatProfileLine(profile, vector, options.as_of_ms);
    lines += '\n';
    ++result.rows;
    if (static_cast<std::size_t>(++part_rows) == options.rows_per_part) flush();
  }
  if (part_rows > 0 || parts.empty()) flush();
  result.parts = parts.size();

  objects.Put(result.folder + std::string(kFeaturesSchema),
              FeatureSchemaJson(activity.genres, factors.factors()), "application/json");
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const boost::json::object manifest{{"format", kFeaturesFormat},
                                     {"kind", "user_features"},
                                     {"date", FormatUtcDate(options.as_of_ms)},
                                     {"created_at", FormatUtcMillis(now_ms)},
                                     {"as_of", FormatUtcMillis(options.as_of_ms)},
                                     {"model_version", options.model_version},
                                     {"window", options.window},
                                     {"rows", result.rows},
                                     {"rows_with_factors", result.rows_with_factors},
                                     {"factors", factors.factors()},
                                     {"genres", activity.genres.size()},
                                     {"schema", kFeaturesSchema},
                                     {"compression", "gzip"},
                                     {"parts", std::move(parts)}};
  objects.Put(manifest_key, boost::json::serialize(manifest) + "\n", "application/json");

  // Parts of an earlier run the same day that this one did not rewrite.
  for (const auto& info : objects.List(result.folder)) {
    const std::string name = info.key.substr(result.folder.size());
    if (name.rfind("part-", 0) == 0 && !written.contains(name)) objects.Delete(info.key);
  }
  return result;
}

}  // namespace cinerec::training
