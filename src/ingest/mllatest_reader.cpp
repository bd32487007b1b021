// ml-latest, ml-latest-small, ml-20m/25m/32m: movies.csv "movieId,title,genres", ratings.csv
// "userId,movieId,rating,timestamp", optional links.csv "movieId,imdbId,tmdbId". UTF-8, one header line,
// RFC 4180 quoting (titles with commas and doubled quotes).
#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "ingest/movielens_source.h"
#include "ingest/text.h"

namespace cinerec::ingest {
namespace {

std::string Require(const std::string& dir, const char* name) {
  auto path = (std::filesystem::path(dir) / name).string();
  if (!std::filesystem::exists(path))
    throw IngestError(path + ": missing (ml-latest needs movies.csv and ratings.csv)");
  return path;
}

struct Links {
  std::string imdb;
  std::optional<std::int64_t> tmdb;
};

class MlLatestSource final : public MovieLensSource {
 public:
  MlLatestSource(const std::string& dir, const ReadOptions& options)
      : dir_(dir),
        options_(options),
        movies_(Require(dir, "movies.csv")),
        ratings_(Require(dir, "ratings.csv")) {}

  std::string format() const override { return "ml-latest"; }

  void ReadMovies(const std::function<void(MovieRecord&&)>& fn) override {
    auto links = ReadLinks();
    auto tags = ReadTags();
    skipped_ += ForEachLine(movies_, true, options_, [&](std::string_view line) {
                  auto f = ParseCsvLine(line);
                  if (f.size() != 3) throw BadRow("expected 3 comma-separated fields");
                  MovieRecord movie;
                  movie.id = ParseInt(f[0], "movieId");
                  auto title = SplitTitleYear(f[1]);
                  if (title.title.empty()) throw BadRow("empty title");
                  movie.title = std::move(title.title);
                  movie.year = title.year;
                  if (f[2] != "(no genres listed)" && !f[2].empty())
                    for (auto g : SplitFields(f[2], "|"))
                      movie.genres.emplace_back(g);
                  if (auto it = links.find(movie.id); it != links.end()) {
                    movie.imdb = it->second.imdb;
                    movie.tmdb = it->second.tmdb;
                  }
                  if (auto it = tags.find(movie.id); it != tags.end()) movie.tags = std::move(it->second);
                  fn(std::move(movie));
                }).skipped;
  }

  void ReadUsers(const std::function<void(const UserRecord&)>&) override {}

  void ReadRatings(const std::function<void(const RatingRecord&)>& fn) override {
    skipped_ += ForEachLine(
                    ratings_, true, options_,
                    [&](std::string_view line) {
                      // Ratings never hold quotes: a plain split is much faster than the CSV parser.
                      auto f = SplitFields(line, ",");
                      if (f.size() != 4) throw BadRow("expected 4 comma-separated fields");
                      fn(RatingRecord{ParseInt(f[0], "userId"), ParseInt(f[1], "movieId"),
                                      ParseDouble(f[2], "rating"), ParseInt(f[3], "timestamp")});
                    },
                    &ratings_bytes_read_)
                    .skipped;
  }

  std::uint64_t ratings_file_bytes() const override { return std::filesystem::file_size(ratings_); }

 private:
  std::unordered_map<std::int64_t, Links> ReadLinks() {
    std::unordered_map<std::int64_t, Links> links;
    auto path = (std::filesystem::path(dir_) / "links.csv").string();
    if (!std::filesystem::exists(path)) return links;
    skipped_ += ForEachLine(path, true, options_, [&](std::string_view line) {
                  auto f = ParseCsvLine(line);
                  if (f.size() != 3) throw BadRow("expected 3 comma-separated fields");
                  Links l;
                  if (!f[1].empty()) l.imdb = "tt" + f[1];
                  if (!f[2].empty()) l.tmdb = ParseInt(f[2], "tmdbId");
                  links[ParseInt(f[0], "movieId")] = std::move(l);
                }).skipped;
    return links;
  }

  // tags.csv "userId,movieId,tag,timestamp": the first kMaxTagsPerMovie distinct tags of each movie, in file
  // order; longer tags than kMaxTagBytes are left out.
  std::unordered_map<std::int64_t, std::vector<std::string>> ReadTags() {
    std::unordered_map<std::int64_t, std::vector<std::string>> tags;
    auto path = (std::filesystem::path(dir_) / "tags.csv").string();
    if (!std::filesystem::exists(path)) return tags;
    skipped_ += ForEachLine(path, true, options_, [&](std::string_view line) {
                  auto f = ParseCsvLine(line);
                  if (f.size() != 4) throw BadRow("expected 4 comma-separated fields");
                  auto& list = tags[ParseInt(f[1], "movieId")];
                  if (f[2].empty() || f[2].size() > kMaxTagBytes || list.size() >= kMaxTagsPerMovie) return;
                  if (std::find(list.begin(), list.end(), f[2]) == list.end())
                    list.push_back(std::move(f[2]));
                }).skipped;
    return tags;
  }

  std::string dir_;
  ReadOptions options_;
  std::string movies_, ratings_;
};

}  // namespace

std::unique_ptr<MovieLensSource> OpenMlLatest(const std::string& dir, const ReadOptions& options) {
  return std::make_unique<MlLatestSource>(dir, options);
}

}  // namespace cinerec::ingest
