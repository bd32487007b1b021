// `cinerec import DIR`: a MovieLens folder into PostgreSQL and ClickHouse (mapping in docs/import.md).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

#include "app/commands.h"
#include "app/stores.h"
#include "common/config.h"
#include "ingest/movielens_import.h"
#include "ingest/progress.h"
#include "ingest/text.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec {
namespace {
constexpr std::uint64_t kRatingLineBytes = 25;
}  // namespace

int RunImport(const Config& config, const ImportArgs& args) {
  using namespace ingest;
  std::unique_ptr<MovieLensSource> source;
  try {
    source = OpenMovieLens(args.dir, args.format, ReadOptions{args.skip_bad_rows});
  } catch (const IngestError& e) {
    std::cerr << "cinerec import: " << e.what() << "\n";
    return 2;
  }
  auto stores = Stores::Connect(config);
  if (args.if_empty && SkipLoadBecauseNotEmpty(*stores.postgres)) return 0;
  WriterOptions options;
  options.source = source->format();
  options.display_name = "MovieLens user";
  options.remap_ids = args.remap_ids;
  options.connections = std::clamp(config.postgres.pool_size, 1, 2);
  // Rating lines are 20-30 bytes in every MovieLens format: an estimate that only decides on bulk mode.
  options.expected_interactions = source->ratings_file_bytes() / kRatingLineBytes;
  StoreWriter writer(*stores.postgres, *stores.clickhouse, options);
  try {
    writer.Begin();
    auto summary =
        ImportMovieLens(*source, writer, RatingMapping{args.like_threshold, args.dislike_threshold});
    const auto& c = writer.counts();
    const double rate = summary.seconds > 0 ? summary.ratings_read / summary.seconds : 0;
    std::cerr << "import " << source->format() << " from " << args.dir << " done in " << summary.seconds
              << " s (" << Grouped(static_cast<std::uint64_t>(rate)) << " ratings/s)\n"
              << "  read:       " << Grouped(summary.movies_read) << " movies, "
              << Grouped(summary.users_read) << " users, " << Grouped(summary.ratings_read) << " ratings, "
              << Grouped(summary.skipped_rows) << " malformed rows skipped\n"
              << "  postgres:   users +" << Grouped(c.users) << ", movies +" << Grouped(c.movies)
              << ", movie_genres +" << Grouped(c.movie_genres) << ", views +" << Grouped(c.views)
              << ", reactions +" << Grouped(c.reactions) << "\n"
              << "  clickhouse: watch_events " << Grouped(c.watch_events) << " rows, ui_events "
              << Grouped(c.ui_events) << " rows sent (deterministic ids: a re-run collapses)\n";
    if (c.unknown_movie_rows)
      std::cerr << "  ratings of unknown movies skipped: " << Grouped(c.unknown_movie_rows) << "\n";
    if (!c.unknown_genres.empty()) {
      std::string names;
      for (const auto& g : c.unknown_genres)
        names += (names.empty() ? "" : ", ") + g;
      std::cerr << "  unknown genres (not in the genres table, left out): " << names << "\n";
    }
    std::cerr << LoadModeSummary(c);
    return 0;
  } catch (const IngestError& e) {
    std::cerr << "cinerec import: " << e.what() << "\n";
    return 3;
  } catch (const TargetNotEmpty& e) {
    std::cerr << "cinerec import: refused: " << e.what() << "\n";
    return 4;
  }
}

}  // namespace cinerec
