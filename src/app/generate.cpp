// `cinerec generate`: a synthetic data set, streamed into the stores or written as MovieLens CSV.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "app/commands.h"
#include "app/stores.h"
#include "common/config.h"
#include "ingest/csv_sink.h"
#include "ingest/store_sink.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec {

int RunGenerate(const Config& config, const GenerateArgs& args) {
  using namespace ingest;
  GeneratorOptions options;
  options.users = args.users;
  options.movies = args.movies;
  options.interactions = args.interactions;
  options.seed = args.seed;
  options.days = args.days;
  options.end_time = args.end_time;
  if (options.end_time == 0) {
    // Today's midnight (UTC): re-running on the same day regenerates the same records.
    auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    options.end_time = now.count() - now.count() % 86400;
  }
  Progress progress("generate", static_cast<std::uint64_t>(options.interactions));
  if (!args.out_dir.empty()) {
    CsvSink sink(args.out_dir);
    Generate(options, sink);
    std::cerr << "generate: wrote " << args.out_dir << "/movies.csv and ratings.csv ("
              << Grouped(static_cast<std::uint64_t>(options.interactions)) << " ratings) in "
              << progress.Finish() << " s\n";
    return 0;
  }
  auto stores = Stores::Connect(config);
  if (args.if_empty && SkipLoadBecauseNotEmpty(*stores.postgres)) return 0;
  WriterOptions writer_options;
  writer_options.source = "synth";
  writer_options.display_name = "Synthetic user";
  writer_options.remap_ids = args.remap_ids;
  writer_options.connections = std::clamp(config.postgres.pool_size, 1, 2);
  writer_options.expected_interactions = static_cast<std::uint64_t>(options.interactions);
  StoreWriter writer(*stores.postgres, *stores.clickhouse, writer_options);
  try {
    writer.Begin();
  } catch (const TargetNotEmpty& e) {
    std::cerr << "cinerec generate: refused: " << e.what() << "\n";
    return 4;
  }
  StoreSink sink(writer, progress, static_cast<std::uint64_t>(options.interactions));
  Generate(options, sink);
  writer.Finish();
  const double seconds = progress.Finish();
  const auto& c = writer.counts();
  std::cerr << "generate (seed " << options.seed << ") done in " << seconds
            << " s: " << Grouped(static_cast<std::uint64_t>(c.interactions / (seconds > 0 ? seconds : 1)))
            << " interactions/s\n"
            << "  postgres:   users +" << Grouped(c.users) << ", movies +" << Grouped(c.movies)
            << ", movie_genres +" << Grouped(c.movie_genres) << ", views +" << Grouped(c.views)
            << ", reactions +" << Grouped(c.reactions) << "\n"
            << "  clickhouse: watch_events " << Grouped(c.watch_events) << " rows, ui_events "
            << Grouped(c.ui_events) << " rows sent\n";
  std::cerr << LoadModeSummary(c);
  return 0;
}

}  // namespace cinerec
