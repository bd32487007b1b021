#include "ingest/store_writer.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <iostream>
#include <map>
#include <tuple>

#include "ingest/bulk_schema.h"
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

// Bounds the body of one insert: rows of about 330 bytes (watch_events) or 300 (ui_events).
constexpr std::size_t kMaxRowsPerInsert = 100000;
constexpr std::size_t kBodyBytesPerRow = 360;

std::string NowUtc() {
  return FormatUtc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

void AppendInt(std::string& out, std::int64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// The JSON is built by appending (no temporaries): this runs three times per interaction.
void AppendWatchEvent(std::string& out, const char* type, std::string_view event_id, std::int64_t time,
                      std::string_view received_at, std::int64_t user, std::int64_t movie,
                      const Interaction& i, int position_s, int watched_s, int duration_s,
                      const std::string& genres_json) {
  if (!out.empty()) out += '\n';
  out += "{\"event_id\":\"";
  out += event_id;
  out += "\",\"event_type\":\"";
  out += type;
  out += "\",\"event_time\":\"";
  AppendUtc(out, time);
  out += "\",\"received_at\":\"";
  out += received_at;
  out += "\",\"user_id\":";
  AppendInt(out, user);
  out += ",\"movie_id\":";
  AppendInt(out, movie);
  out += ",\"session_id\":";
  AppendJsonString(out, i.session_key);
  out += ",\"device\":";
  AppendJsonString(out, i.device);
  out += ",\"position_s\":";
  AppendInt(out, position_s);
  out += ",\"seek_from_s\":0,\"seek_to_s\":0,\"watched_s\":";
  AppendInt(out, watched_s);
  out += ",\"duration_s\":";
  AppendInt(out, duration_s);
  out += ",\"movie_genres\":";
  out += genres_json;
  out += ",\"user_tier\":\"";
  out += kImportedTier;
  out += "\",\"user_country\":\"\"}";
}

void AppendReactionEvent(std::string& out, std::string_view event_id, const char* type, std::int64_t time,
                         std::string_view received_at, std::int64_t user, std::int64_t movie,
                         const std::string& genres_json) {
  if (!out.empty()) out += '\n';
  out += "{\"event_id\":\"";
  out += event_id;
  out += "\",\"event_type\":\"";
  out += type;
  out += "\",\"event_time\":\"";
  AppendUtc(out, time);
  out += "\",\"received_at\":\"";
  out += received_at;
  out += "\",\"user_id\":";
  AppendInt(out, user);
  out += ",\"session_id\":\"\",\"device\":\"\",\"movie_id\":";
  AppendInt(out, movie);
  out +=
      ",\"target\":\"import\",\"request_id\":\"\",\"rank\":0,\"query\":\"\",\"results\":0,\"movie_genres\":";
  out += genres_json;
  out += ",\"user_tier\":\"";
  out += kImportedTier;
  out += "\",\"user_country\":\"\",\"extra\":\"\"}";
}

// Waits for every future (so that none outlives what it references), then rethrows the first error.
void JoinAll(std::vector<std::future<void>>& futures, std::exception_ptr error) {
  for (auto& f : futures) {
    try {
      f.get();
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace

bool SkipLoadBecauseNotEmpty(PgPool& postgres) {
  for (const auto& name : RestoreAfterInterruptedLoad(postgres))
    std::cerr << "restored " << name << " (left out by an interrupted bulk load)\n";
  if (!DatabaseHasMovies(postgres)) return false;
  std::cerr << "the database already has movies: nothing loaded (--if-empty)\n";
  return true;
}

bool DatabaseHasMovies(PgPool& postgres) {
  return postgres.Exec(sql::kHasMovies).GetBool(0, 0);
}

StoreWriter::StoreWriter(PgPool& postgres, ClickHouseClient& clickhouse, WriterOptions options)
    : postgres_(postgres), clickhouse_(clickhouse), options_(std::move(options)) {}

std::string LoadModeSummary(const WriteCounts& c) {
  std::string out;
  if (!c.restored.empty())
    out +=
        fmt::format("  restored:   {} (left out by an interrupted bulk load)\n", fmt::join(c.restored, ", "));
  if (c.direct || c.bulk) {
    out += "  mode:      ";
    if (c.direct)
      out += fmt::format(
          " COPY straight into views and reactions (they were empty), {} chunk(s) through staging;",
          c.direct_fallbacks);
    if (c.bulk)
      out += fmt::format(" bulk: indexes and foreign keys of views and reactions rebuilt in {:.1f} s",
                         c.rebuild_seconds);
    out += "\n";
  }
  return out;
}

std::vector<std::string> RestoreAfterInterruptedLoad(PgPool& postgres) {
  auto lease = postgres.Acquire();
  std::vector<std::string> restored;
  std::exception_ptr error;
  try {
    restored = RestoreDeferred({&*lease});
  } catch (...) {
    error = std::current_exception();
  }
  // RestoreDeferred lifts the statement timeout for its builds: give the pooled connection back as it was
  // (the timeout set at connection start).
  try {
    lease->Exec(sql::kResetStatementTimeout);
  } catch (...) {
    if (!error) error = std::current_exception();
  }
  if (error) std::rethrow_exception(error);
  return restored;
}

StoreWriter::~StoreWriter() {
  // An import abandoned by an exception: let the chunk in flight end before the connection and client go.
  if (write_job_.valid()) {
    try {
      write_job_.get();
    } catch (const std::exception& e) {
      spdlog::warn("import: the last chunk failed while aborting: {}", e.what());
    }
  }
  // The events of the chunks committed so far: PostgreSQL has their rows.
  try {
    SendQueuedEvents();
    WaitClickHouse();
  } catch (const std::exception& e) {
    spdlog::warn("import: a clickhouse insert failed while aborting: {}", e.what());
  }
  if (bulk_) {
    // Give the tables back their indexes and foreign keys now rather than at the next run.
    try {
      RebuildDeferred();
    } catch (const std::exception& e) {
      spdlog::warn(
          "import: rebuilding the indexes and foreign keys of views and reactions failed ({}); the next "
          "`cinerec import` or `cinerec generate` rebuilds them",
          e.what());
    }
  }
}

void StoreWriter::Begin() {
  lease_.emplace(postgres_.Acquire());
  auto& conn = **lease_;
  conn.ExecScript(sql::kSessionSettings);
  for (int k = 1; k < options_.connections; ++k) {
    lanes_.push_back(postgres_.Acquire());
    lanes_.back()->ExecScript(sql::kSessionSettings);
  }
  std::vector<PgConnection*> all;
  for (std::size_t lane = 0; lane <= lanes_.size(); ++lane)
    all.push_back(&Lane(lane));
  auto restore = [&] {
    counts_.restored = RestoreDeferred(all);
    if (!counts_.restored.empty())
      spdlog::warn("import: rebuilt what an interrupted bulk load had left out of views and reactions: {}",
                   fmt::join(counts_.restored, ", "));
  };
  if (!options_.remap_ids) {
    auto other = conn.Exec(sql::kHoldsOtherData,
                           PgParams(options_.source + "-user-%@import.invalid", options_.source));
    if (other.GetBool(0, 0)) {
      restore();
      throw TargetNotEmpty(
          "the database already holds users or movies that did not come from " + options_.source +
          ": importing with the source ids could collide with them. Use --remap-ids to assign new ids (the source "
          "ids are then kept as external ids '" +
          ExternalPrefix() + "<id>'), or import into an empty database");
    }
  }
  auto genres = conn.Exec(sql::kGenres);
  for (int r = 0; r < genres.rows(); ++r) {
    int id = static_cast<int>(genres.GetInt(r, 0));
    genre_ids_[std::string(genres.Get(r, 1))] = id;
    genre_names_[id] = std::string(genres.Get(r, 1));
  }
  for (auto* c : all)
    c->ExecScript(sql::kCreateStaging);
  direct_ = options_.direct_copy && conn.Exec(sql::kTargetsEmpty).GetBool(0, 0);
  const auto expected = options_.expected_interactions;
  // Large, and at least doubling views: rebuilding then costs less than maintaining row by row. (A re-run of
  // the same load finds its rows there, inserts nothing, and is fast without.)
  if (expected >= options_.bulk_threshold
      && expected >= 2 * static_cast<std::uint64_t>(conn.Exec(sql::kViewsEstimate).GetInt(0, 0))) {
    bulk_ = DropDeferred(conn);  // what an interrupted load left missing stays so until Finish()
    if (bulk_)
      spdlog::info(
          "import: bulk mode: the secondary indexes and foreign keys of views and reactions are rebuilt "
          "at the end");
  }
  if (!bulk_) restore();
  counts_.bulk = bulk_;
  counts_.direct = direct_;
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
  // A full chunk ends where the user changes (at twice the size at the latest): a user's rows then fall in
  // one chunk, and direct COPY meets no reaction of theirs from an earlier chunk.
  if (pending_.size() >= options_.chunk_rows && !pending_.empty()
      && (interaction.user != pending_.back().user || pending_.size() >= 2 * options_.chunk_rows))
    FlushInteractions();
  if (users_.emplace(interaction.user, 0).second) pending_users_.push_back(interaction.user);
  pending_.push_back(interaction);
}

void StoreWriter::FlushInteractions() {
  FlushUsers();  // waits for the previous chunk: the connections are free again
  if (pending_.empty()) return;
  // Ids are resolved here, on the caller's thread: the job must not read maps that AddInteraction changes.
  Chunk chunk;
  chunk.resolved.reserve(pending_.size());
  for (const auto& i : pending_)
    chunk.resolved.push_back({users_.at(i.user), &movies_.at(i.movie)});
  chunk.batch = std::move(pending_);
  write_job_ = std::async(std::launch::async, [this, chunk = std::move(chunk)]() mutable {
    return WriteChunk(std::move(chunk));
  });
  pending_ = {};
  pending_.reserve(options_.chunk_rows);
}

StoreWriter::ChunkCounts StoreWriter::WriteChunk(Chunk chunk) {
  const std::size_t lanes = 1 + lanes_.size();
  std::vector<std::vector<std::uint32_t>> rows(lanes);
  for (std::size_t k = 0; k < chunk.batch.size(); ++k)
    rows[static_cast<std::uint64_t>(chunk.resolved[k].user) % lanes].push_back(static_cast<std::uint32_t>(k));
  std::vector<ChunkCounts> out(lanes);
  std::vector<std::future<void>> helpers;
  for (std::size_t lane = 1; lane < lanes; ++lane)
    if (!rows[lane].empty())
      helpers.push_back(
          std::async(std::launch::async, [&, lane] { WriteLane(lane, chunk, rows[lane], out[lane]); }));
  std::exception_ptr error;
  try {
    if (!rows[0].empty()) WriteLane(0, chunk, rows[0], out[0]);
  } catch (...) {
    error = std::current_exception();
  }
  JoinAll(helpers, error);

  ChunkCounts counts;
  for (const auto& o : out) {
    counts.views += o.views;
    counts.reactions += o.reactions;
    counts.direct_fallbacks += o.direct_fallbacks;
  }
  // Events only after the commits: an event in ClickHouse always has its row in PostgreSQL.
  clickhouse_queued_ += chunk.batch.size();
  clickhouse_queue_.push_back(std::move(chunk));
  if (clickhouse_queued_ >= options_.clickhouse_batch) SendQueuedEvents();
  return counts;
}

void StoreWriter::SendQueuedEvents() {
  WaitClickHouse();
  if (clickhouse_queue_.empty()) return;
  clickhouse_pending_ =
      std::async(std::launch::async, [this, chunks = std::move(clickhouse_queue_)] { SendEvents(chunks); });
  clickhouse_queue_ = {};
  clickhouse_queued_ = 0;
}

void StoreWriter::SendEvents(const std::vector<Chunk>& chunks) {
  struct Event {
    std::uint32_t chunk, row;
    bool stop;  // watch_events: the view_stop (else the view_start)
  };
  const std::string received_at = NowUtc();
  // One table at a time, its events grouped by month: an insert touches few partitions.
  auto send = [&](const char* table, const std::map<int, std::vector<Event>>& months, auto&& append) {
    std::size_t total = 0;
    for (const auto& [month, events] : months)
      total += events.size();
    std::string body;
    body.reserve(std::min(total, kMaxRowsPerInsert) * kBodyBytesPerRow);
    std::size_t rows = 0;
    int months_in_body = 0;
    auto insert = [&] {
      if (rows > 0) clickhouse_.Insert(table, kFormat, body);
      body.clear();
      rows = 0;
      months_in_body = 0;
    };
    for (const auto& [month, events] : months) {
      if (months_in_body == kMaxMonthsPerInsert) insert();
      ++months_in_body;
      for (const auto& e : events) {
        if (rows == kMaxRowsPerInsert) {
          insert();
          months_in_body = 1;
        }
        if (rows++ > 0) body += '\n';
        append(body, e);
      }
    }
    insert();
  };

  std::map<int, std::vector<Event>> months;
  std::uint64_t watch_events = 0, ui_events = 0;
  for (std::uint32_t c = 0; c < chunks.size(); ++c)
    for (std::uint32_t k = 0; k < chunks[c].batch.size(); ++k) {
      const auto& i = chunks[c].batch[k];
      months[UtcMonth(i.stop_time - i.watched_s)].push_back({c, k, false});
      months[UtcMonth(i.stop_time)].push_back({c, k, true});
      watch_events += 2;
    }
  send(kWatchTable, months, [&](std::string& body, const Event& e) {
    const auto& i = chunks[e.chunk].batch[e.row];
    const auto& r = chunks[e.chunk].resolved[e.row];
    if (e.stop)
      AppendWatchEvent(body, "view_stop", DeterministicUuid(i.session_key + ":view_stop"), i.stop_time,
                       received_at, r.user, r.movie->id, i, i.watched_s, i.watched_s, r.movie->duration_s,
                       r.movie->genres_json);
    else
      AppendWatchEvent(body, "view_start", DeterministicUuid(i.session_key + ":view_start"),
                       i.stop_time - i.watched_s, received_at, r.user, r.movie->id, i, 0, 0,
                       r.movie->duration_s, r.movie->genres_json);
  });
  months.clear();
  for (std::uint32_t c = 0; c < chunks.size(); ++c)
    for (std::uint32_t k = 0; k < chunks[c].batch.size(); ++k)
      if (chunks[c].batch[k].reaction != 0) {
        months[UtcMonth(chunks[c].batch[k].stop_time)].push_back({c, k, false});
        ++ui_events;
      }
  send(kUiTable, months, [&](std::string& body, const Event& e) {
    const auto& i = chunks[e.chunk].batch[e.row];
    const auto& r = chunks[e.chunk].resolved[e.row];
    const char* type = i.reaction > 0 ? "like" : "dislike";
    AppendReactionEvent(body, DeterministicUuid(i.session_key + ":" + type), type, i.stop_time, received_at,
                        r.user, r.movie->id, r.movie->genres_json);
  });
  counts_.watch_events += watch_events;  // only this thread writes these two
  counts_.ui_events += ui_events;
}

void StoreWriter::WriteLane(std::size_t lane, const Chunk& chunk, const std::vector<std::uint32_t>& rows,
                            ChunkCounts& out) {
  const auto& batch = chunk.batch;
  const auto& resolved = chunk.resolved;
  struct Reaction {
    std::uint32_t k;  // index into batch
    std::string event_id;
  };
  std::vector<Reaction> reacted;
  for (auto k : rows) {
    const auto& i = batch[k];
    if (i.reaction != 0)
      reacted.push_back({k, DeterministicUuid(i.session_key + (i.reaction > 0 ? ":like" : ":dislike"))});
  }

  auto& conn = Lane(lane);
  if (direct_) {
    // Straight into the tables. Reactions: the latest (event_time, event_id) per (user, movie), the row the
    // staging path's last-write-wins would keep; sorted by the primary key as a bonus.
    std::vector<const Reaction*> latest;
    for (const auto& r : reacted)
      latest.push_back(&r);
    auto key = [&](const Reaction* r) { return std::tuple(resolved[r->k].user, resolved[r->k].movie->id); };
    std::sort(latest.begin(), latest.end(), [&](const Reaction* a, const Reaction* b) {
      if (key(a) != key(b)) return key(a) < key(b);
      if (batch[a->k].stop_time != batch[b->k].stop_time)
        return batch[a->k].stop_time > batch[b->k].stop_time;
      return a->event_id > b->event_id;
    });
    latest.erase(std::unique(latest.begin(), latest.end(),
                             [&](const Reaction* a, const Reaction* b) { return key(a) == key(b); }),
                 latest.end());
    try {
      std::uint64_t views = 0, reactions = 0;
      conn.Transaction([&](PgConnection& c) {
        PgCopyWriter copy(c, sql::kCopyViewsDirect);
        for (auto k : rows) {
          const auto& i = batch[k];
          copy.Field(resolved[k].user)
              .Field(resolved[k].movie->id)
              .Field(i.session_key)
              .TimestampUtc(i.stop_time - i.watched_s)
              .TimestampUtc(i.stop_time)
              .Field(std::int64_t{i.watched_s})
              .Field(std::int64_t{i.watched_s})
              .Field(i.completed ? "t" : "f")
              .Field(i.device)
              .EndRow();
        }
        views = copy.Finish();
        PgCopyWriter copy_reactions(c, sql::kCopyReactionsDirect);
        for (const auto* r : latest)
          copy_reactions.Field(resolved[r->k].user)
              .Field(resolved[r->k].movie->id)
              .Field(std::int64_t{batch[r->k].reaction > 0 ? 1 : -1})
              .TimestampUtc(batch[r->k].stop_time)
              .Field(r->event_id)
              .EndRow();
        reactions = copy_reactions.Finish();
      });
      out.views = views;
      out.reactions = reactions;
      return;
    } catch (const PgQueryError& e) {
      if (!e.is_unique_violation()) throw;
      ++out.direct_fallbacks;  // a row already there: this chunk goes through staging after all
    }
  }
  conn.Transaction([&](PgConnection& c) {
    {
      PgCopyWriter copy(c, sql::kCopyViews);
      for (auto k : rows) {
        const auto& i = batch[k];
        copy.Field(resolved[k].user)
            .Field(resolved[k].movie->id)
            .Field(i.session_key)
            .Field(i.stop_time - i.watched_s)
            .Field(i.stop_time)
            .Field(std::int64_t{i.watched_s})
            .Field(std::int64_t{i.watched_s})
            .Field(i.completed ? "t" : "f")
            .Field(i.device)
            .EndRow();
      }
      copy.Finish();
    }
    {
      PgCopyWriter copy(c, sql::kCopyReactions);
      for (const auto& r : reacted)
        copy.Field(resolved[r.k].user)
            .Field(resolved[r.k].movie->id)
            .Field(std::int64_t{batch[r.k].reaction > 0 ? 1 : -1})
            .Field(batch[r.k].stop_time)
            .Field(r.event_id)
            .EndRow();
      copy.Finish();
    }
    out.views = static_cast<std::uint64_t>(c.Exec(sql::kInsertViews).affected_rows());
    out.reactions = static_cast<std::uint64_t>(c.Exec(sql::kInsertReactions).affected_rows());
  });
}

void StoreWriter::WaitClickHouse() {
  if (clickhouse_pending_.valid()) clickhouse_pending_.get();
}

void StoreWriter::WaitWriteJob() {
  if (!write_job_.valid()) return;
  auto c = write_job_.get();
  counts_.views += c.views;
  counts_.reactions += c.reactions;
  counts_.direct_fallbacks += c.direct_fallbacks;
}

void StoreWriter::RebuildDeferred() {
  const auto start = std::chrono::steady_clock::now();
  std::vector<PgConnection*> all;
  for (std::size_t lane = 0; lane <= lanes_.size(); ++lane)
    all.push_back(&Lane(lane));
  spdlog::info("import: bulk mode: rebuilding the indexes and foreign keys of views and reactions");
  RestoreDeferred(all);
  bulk_ = false;
  counts_.rebuild_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void StoreWriter::Finish() {
  FlushInteractions();
  FlushUsers();
  WaitWriteJob();
  SendQueuedEvents();
  if (bulk_) RebuildDeferred();  // while the last events go to ClickHouse
  WaitClickHouse();
  auto& conn = **lease_;
  conn.Exec(sql::kSetvalUsers);
  conn.Exec(sql::kSetvalMovies);
  for (std::size_t lane = 0; lane <= lanes_.size(); ++lane)
    Lane(lane).Exec(sql::kDropStaging);
  conn.Exec(sql::kAnalyze);
  conn.Exec(sql::kAnalyzeActivity);
  for (std::size_t lane = 0; lane <= lanes_.size(); ++lane)
    Lane(lane).ExecScript(sql::kResetSessionSettings);  // the connections go back to the pool
  lanes_.clear();
  lease_.reset();
}

}  // namespace cinerec::ingest
