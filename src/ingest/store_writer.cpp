#include "ingest/store_writer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <map>

#include "ingest/event_ids.h"
#include "ingest/pg_copy_writer.h"
#include "ingest/store_writer_sql.h"
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec::ingest {
namespace {

constexpr const char* kWatchTable = "watch_events";
constexpr const char* kUiTable = "ui_events";
constexpr const char* kFormat = "JSONEachRow";
// Current ClickHouse refuses an INSERT whose rows fall into more than max_partitions_per_insert_block (100)
// partitions; the event tables are partitioned by month and MovieLens spans decades, so each request carries
// at most this many months.
constexpr int kMaxMonthsPerInsert = 90;
// Imported users have no subscription row: their effective tier is free.
constexpr const char* kImportedTier = "free";

std::string CanonicalGenre(const std::string& name) {
  // ml-100k and ml-1m spell it "Children's"; the genres table says "Children".
  if (name == "Children's") return "Children";
  return name;
}

bool IsNoGenre(const std::string& name) {
  return name == "unknown" || name == "(no genres listed)";
}

// toYYYYMM(event_time): the partition of an event.
int MonthOf(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
}

// Rows of one table grouped by month (partition).
using MonthRows = std::map<int, std::string>;

void SendByMonth(ClickHouseClient& clickhouse, const char* table, const MonthRows& rows) {
  std::string body;
  int months = 0;
  for (const auto& [month, lines] : rows) {
    if (!body.empty()) body += '\n';
    body += lines;
    if (++months == kMaxMonthsPerInsert) {
      clickhouse.Insert(table, kFormat, body);
      body.clear();
      months = 0;
    }
  }
  if (!body.empty()) clickhouse.Insert(table, kFormat, body);
}

std::string NowUtc() {
  return FormatUtc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

void AppendWatchEvent(std::string& out, const char* type, const std::string& event_id, std::int64_t time,
                      const std::string& received_at, std::int64_t user, std::int64_t movie,
                      const Interaction& i, int position_s, int watched_s, int duration_s,
                      const std::string& genres_json) {
  if (!out.empty()) out += '\n';
  out += "{\"event_id\":\"" + event_id + "\",\"event_type\":\"" + type + "\",\"event_time\":\""
         + FormatUtc(time) + "\",\"received_at\":\"" + received_at + "\",\"user_id\":" + std::to_string(user)
         + ",\"movie_id\":" + std::to_string(movie) + ",\"session_id\":";
  AppendJsonString(out, i.session_key);
  out += ",\"device\":";
  AppendJsonString(out, i.device);
  out += ",\"position_s\":" + std::to_string(position_s) + ",\"seek_from_s\":0,\"seek_to_s\":0,\"watched_s\":"
         + std::to_string(watched_s) + ",\"duration_s\":" + std::to_string(duration_s) + ",\"movie_genres\":"
         + genres_json + ",\"user_tier\":\"" + kImportedTier + "\",\"user_country\":\"\"}";
}

void AppendReactionEvent(std::string& out, const std::string& event_id, const char* type, std::int64_t time,
                         const std::string& received_at, std::int64_t user, std::int64_t movie,
                         const std::string& genres_json) {
  if (!out.empty()) out += '\n';
  out +=
      "{\"event_id\":\"" + event_id + "\",\"event_type\":\"" + type + "\",\"event_time\":\"" + FormatUtc(time)
      + "\",\"received_at\":\"" + received_at + "\",\"user_id\":" + std::to_string(user)
      + ",\"session_id\":\"\",\"device\":\"\",\"movie_id\":" + std::to_string(movie)
      + ",\"target\":\"import\",\"request_id\":\"\",\"rank\":0,\"query\":\"\",\"results\":0,\"movie_genres\":"
      + genres_json + ",\"user_tier\":\"" + kImportedTier + "\",\"user_country\":\"\",\"extra\":\"\"}";
}

}  // namespace

bool DatabaseHasMovies(PgPool& postgres) {
  return postgres.Exec(sql::kHasMovies).GetBool(0, 0);
}

StoreWriter::StoreWriter(PgPool& postgres, ClickHouseClient& clickhouse, WriterOptions options)
    : postgres_(postgres), clickhouse_(clickhouse), options_(std::move(options)) {}

StoreWriter::~StoreWriter() {
  // An import abandoned by an exception: let the chunk in flight end before the connection and client go.
  if (write_job_.valid()) {
    try {
      write_job_.get();
    } catch (const std::exception& e) {
      spdlog::warn("import: the last chunk failed while aborting: {}", e.what());
    }
  }
  if (clickhouse_pending_.valid()) {
    try {
      clickhouse_pending_.get();
    } catch (const std::exception& e) {
      spdlog::warn("import: a clickhouse insert failed while aborting: {}", e.what());
    }
  }
}

void StoreWriter::Begin() {
  lease_.emplace(postgres_.Acquire());
  auto& conn = **lease_;
  conn.ExecScript(sql::kSessionSettings);
  if (!options_.remap_ids) {
    auto other = conn.Exec(sql::kHoldsOtherData,
                           PgParams(options_.source + "-user-%@import.invalid", options_.source));
    if (other.GetBool(0, 0))
      throw TargetNotEmpty(
          "the database already holds users or movies that did not come from " + options_.source +
          ": importing with the source ids could collide with them. Use --remap-ids to assign new ids (the source "
          "ids are then kept as external ids '" +
          ExternalPrefix() + "<id>'), or import into an empty database");
  }
  auto genres = conn.Exec(sql::kGenres);
  for (int r = 0; r < genres.rows(); ++r) {
    int id = static_cast<int>(genres.GetInt(r, 0));
    genre_ids_[std::string(genres.Get(r, 1))] = id;
    genre_names_[id] = std::string(genres.Get(r, 1));
  }
  conn.ExecScript(sql::kCreateStaging);
}

void StoreWriter::WriteMovies(const std::vector<MovieRecord>& movies) {
  WaitWriteJob();
  auto& conn = **lease_;
  std::vector<std::pair<std::int64_t, std::vector<int>>> genres_of;  // source id -> genre ids
  conn.Transaction([&](PgConnection& c) {
    {
      PgCopyWriter copy(c, sql::kCopyMovies);
      for (const auto& m : movies) {
        copy.Field(m.id).Field(m.title);
        if (m.year)
          copy.Field(std::int64_t{*m.year});
        else
          copy.Null();
        copy.Field(m.description);
        if (m.duration_s)
          copy.Field(std::int64_t{*m.duration_s});
        else
          copy.Null();
        std::string extra = "{\"source\":";
        AppendJsonString(extra, options_.source);
        if (options_.source.rfind("ml-", 0) == 0) {
          extra += ",\"ids\":{\"movielens\":" + std::to_string(m.id);
          if (!m.imdb.empty()) {
            extra += ",\"imdb\":";
            AppendJsonString(extra, m.imdb);
          }
          if (m.tmdb) extra += ",\"tmdb\":" + std::to_string(*m.tmdb);
          extra += "}";
        }
        if (!m.tags.empty()) {
          extra += ",\"tags\":[";
          for (std::size_t t = 0; t < m.tags.size(); ++t) {
            if (t) extra += ',';
            AppendJsonString(extra, m.tags[t]);
          }
          extra += "]";
        }
        extra += "}";
        copy.Field(extra).EndRow();

        MovieInfo info;
        info.id = m.id;
        info.duration_s = m.duration_s.value_or(0);
        info.genres_json = "[";
        std::vector<int> ids;
        for (const auto& raw : m.genres) {
          if (IsNoGenre(raw)) continue;
          auto it = genre_ids_.find(CanonicalGenre(raw));
          if (it == genre_ids_.end()) {
            counts_.unknown_genres.insert(raw);
            continue;
          }
          if (ids.size()) info.genres_json += ',';
          AppendJsonString(info.genres_json, it->first);
          ids.push_back(it->second);
        }
        info.genres_json += "]";
        movies_[m.id] = std::move(info);
        genres_of.emplace_back(m.id, std::move(ids));
      }
      copy.Finish();
    }
    if (options_.remap_ids) {
      counts_.movies += c.Exec(sql::kInsertMoviesRemap, PgParams(ExternalPrefix())).affected_rows();
      auto map = c.Exec(sql::kMapMovies, PgParams(ExternalPrefix()));
      for (int r = 0; r < map.rows(); ++r)
        movies_[map.GetInt(r, 0)].id = map.GetInt(r, 1);
    } else {
      counts_.movies += c.Exec(sql::kInsertMoviesKeepIds).affected_rows();
    }
    PgCopyWriter copy(c, sql::kCopyMovieGenres);
    for (const auto& [source_id, ids] : genres_of)
      for (int g : ids)
        copy.Field(movies_[source_id].id).Field(std::int64_t{g}).EndRow();
    copy.Finish();
    counts_.movie_genres += c.Exec(sql::kInsertMovieGenres).affected_rows();
  });
}

void StoreWriter::AddUser(std::int64_t source_id) {
  if (users_.emplace(source_id, 0).second) pending_users_.push_back(source_id);
  if (pending_users_.size() >= options_.chunk_rows) FlushUsers();
}

void StoreWriter::FlushUsers() {
  WaitWriteJob();  // one connection: the previous chunk must be done with it
  if (pending_users_.empty()) return;
  auto& conn = **lease_;
  conn.Transaction([&](PgConnection& c) {
    {
      PgCopyWriter copy(c, sql::kCopyUsers);
      const std::string email_suffix = options_.remap_ids ? "-r@import.invalid" : "@import.invalid";
      for (auto id : pending_users_) {
        auto text = std::to_string(id);
        copy.Field(id)
            .Field(options_.source + "-user-" + text + email_suffix)
            .Field(options_.display_name + " " + text)
            .EndRow();
      }
      copy.Finish();
    }
    if (options_.remap_ids) {
      counts_.users += c.Exec(sql::kInsertUsersRemap, PgParams(ExternalPrefix())).affected_rows();
      auto map = c.Exec(sql::kMapUsers, PgParams(ExternalPrefix()));
      for (int r = 0; r < map.rows(); ++r)
        users_[map.GetInt(r, 0)] = map.GetInt(r, 1);
    } else {
      counts_.users += c.Exec(sql::kInsertUsersKeepIds).affected_rows();
      for (auto id : pending_users_)
        users_[id] = id;
    }
  });
  pending_users_.clear();
}

void StoreWriter::AddInteraction(const Interaction& interaction) {
  ++counts_.interactions;
  if (!movies_.count(interaction.movie)) {
    ++counts_.unknown_movie_rows;
    return;
  }
  if (users_.emplace(interaction.user, 0).second) pending_users_.push_back(interaction.user);
  pending_.push_back(interaction);
  if (pending_.size() >= options_.chunk_rows) FlushInteractions();
}

void StoreWriter::FlushInteractions() {
  FlushUsers();  // waits for the previous chunk: the connection is free again
  if (pending_.empty()) return;
  // Ids are resolved here, on the caller's thread: the job must not read maps that AddInteraction changes.
  std::vector<Resolved> resolved;
  resolved.reserve(pending_.size());
  for (const auto& i : pending_)
    resolved.push_back({users_.at(i.user), &movies_.at(i.movie)});
  write_job_ =
      std::async(std::launch::async, [this, batch = std::move(pending_), resolved = std::move(resolved)] {
        return WriteChunk(batch, resolved);
      });
  pending_ = {};
  pending_.reserve(options_.chunk_rows);
}

StoreWriter::ChunkCounts StoreWriter::WriteChunk(const std::vector<Interaction>& batch,
                                                 const std::vector<Resolved>& resolved) {
  ChunkCounts counts;
  const std::string received_at = NowUtc();
  MonthRows watch, ui;
  auto& conn = **lease_;
  conn.Transaction([&](PgConnection& c) {
    {
      PgCopyWriter views(c, sql::kCopyViews);
      for (std::size_t k = 0; k < batch.size(); ++k) {
        const auto& i = batch[k];
        const auto& movie = *resolved[k].movie;
        const std::int64_t user = resolved[k].user;
        const std::int64_t start = i.stop_time - i.watched_s;
        views.Field(user)
            .Field(movie.id)
            .Field(i.session_key)
            .Field(FormatUtcTz(start))
            .Field(FormatUtcTz(i.stop_time))
            .Field(std::int64_t{i.watched_s})
            .Field(std::int64_t{i.watched_s})
            .Field(i.completed ? "t" : "f")
            .Field(i.device)
            .EndRow();
        AppendWatchEvent(watch[MonthOf(start)], "view_start",
                         DeterministicUuid(i.session_key + ":view_start"), start, received_at, user, movie.id,
                         i, 0, 0, movie.duration_s, movie.genres_json);
        AppendWatchEvent(watch[MonthOf(i.stop_time)], "view_stop",
                         DeterministicUuid(i.session_key + ":view_stop"), i.stop_time, received_at, user,
                         movie.id, i, i.watched_s, i.watched_s, movie.duration_s, movie.genres_json);
        counts.watch_events += 2;
      }
      views.Finish();
    }
    {
      PgCopyWriter reactions(c, sql::kCopyReactions);
      for (std::size_t k = 0; k < batch.size(); ++k) {
        const auto& i = batch[k];
        if (i.reaction == 0) continue;
        const char* type = i.reaction > 0 ? "like" : "dislike";
        const auto& movie = *resolved[k].movie;
        const std::int64_t user = resolved[k].user;
        auto event_id = DeterministicUuid(i.session_key + ":" + type);
        reactions.Field(user)
            .Field(movie.id)
            .Field(std::int64_t{i.reaction > 0 ? 1 : -1})
            .Field(FormatUtcTz(i.stop_time))
            .Field(event_id)
            .EndRow();
        AppendReactionEvent(ui[MonthOf(i.stop_time)], event_id, type, i.stop_time, received_at, user,
                            movie.id, movie.genres_json);
        ++counts.ui_events;
      }
      reactions.Finish();
    }
    counts.views = static_cast<std::uint64_t>(c.Exec(sql::kInsertViews).affected_rows());
    counts.reactions = static_cast<std::uint64_t>(c.Exec(sql::kInsertReactions).affected_rows());
  });
  // After the commit (an event in ClickHouse always has its row in PostgreSQL), on a third thread, so that
  // the next chunk's PostgreSQL work overlaps it. Only job threads touch clickhouse_pending_, one at a time.
  WaitClickHouse();
  clickhouse_pending_ = std::async(std::launch::async, [this, watch = std::move(watch), ui = std::move(ui)] {
    SendByMonth(clickhouse_, kWatchTable, watch);
    SendByMonth(clickhouse_, kUiTable, ui);
  });
  return counts;
}

void StoreWriter::WaitClickHouse() {
  if (clickhouse_pending_.valid()) clickhouse_pending_.get();
}

void StoreWriter::WaitWriteJob() {
  if (!write_job_.valid()) return;
  auto c = write_job_.get();
  counts_.views += c.views;
  counts_.reactions += c.reactions;
  counts_.watch_events += c.watch_events;
  counts_.ui_events += c.ui_events;
}

void StoreWriter::Finish() {
  FlushInteractions();
  FlushUsers();
  WaitWriteJob();
  WaitClickHouse();
  auto& conn = **lease_;
  conn.Exec(sql::kSetvalUsers);
  conn.Exec(sql::kSetvalMovies);
  conn.Exec(sql::kDropStaging);
  conn.Exec(sql::kAnalyze);
  conn.Exec(sql::kAnalyzeActivity);
  lease_.reset();
}

}  // namespace cinerec::ingest
