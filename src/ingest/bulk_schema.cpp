#include "ingest/bulk_schema.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <future>
#include <map>

#include "storage/postgres/pg_pool.h"

namespace cinerec::ingest {
namespace {

// As created by migrations/postgres/0003_activity.sql; `definition` is what pg_get_indexdef prints after
// "USING " (indexes) or what pg_get_constraintdef prints (foreign keys).
struct DeferredIndex {
  const char* table;
  const char* name;
  const char* definition;
};
constexpr DeferredIndex kIndexes[] = {
    {"views", "views_user_started_idx", "btree (user_id, started_at DESC, id DESC)"},
    {"views", "views_movie_started_idx", "btree (movie_id, started_at)"},
    {"reactions", "reactions_movie_id_idx", "btree (movie_id)"},
};

struct DeferredForeignKey {
  const char* table;
  const char* name;
  const char* definition;
  bool cascades;  // ON DELETE CASCADE from users: orphans are rows the cascade would have deleted
};
constexpr DeferredForeignKey kForeignKeys[] = {
    {"views", "views_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE", true},
    {"views", "views_movie_id_fkey", "FOREIGN KEY (movie_id) REFERENCES movies(id) ON DELETE RESTRICT",
     false},
    {"reactions", "reactions_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
     true},
    {"reactions", "reactions_movie_id_fkey",
     "FOREIGN KEY (movie_id) REFERENCES movies(id) ON DELETE RESTRICT", false},
};

// Index builds sort the whole table: with the default 64 MB a 20M-row build spills to many sorted runs.
constexpr const char* kBuildMemory = "SET maintenance_work_mem = '512MB'";

constexpr const char* kIndexesNow =
    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid IN (to_regclass('views'), to_regclass('reactions'))";
constexpr const char* kForeignKeysNow =
    "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
    "WHERE contype = 'f' AND conrelid IN (to_regclass('views'), to_regclass('reactions'))";

struct Catalog {
  std::map<std::string, std::string> indexes;  // name -> pg_get_indexdef
  struct Fk {
    std::string definition;
    bool validated;
  };
  std::map<std::string, Fk> foreign_keys;
};

Catalog ReadCatalog(PgConnection& conn) {
  Catalog catalog;
  auto indexes = conn.Exec(kIndexesNow);
  for (int r = 0; r < indexes.rows(); ++r)
    catalog.indexes[std::string(indexes.Get(r, 0))] = std::string(indexes.Get(r, 1));
  auto fks = conn.Exec(kForeignKeysNow);
  for (int r = 0; r < fks.rows(); ++r)
    catalog.foreign_keys[std::string(fks.Get(r, 0))] = {std::string(fks.Get(r, 1)), fks.GetBool(r, 2)};
  return catalog;
}

bool SameIndex(const std::string& indexdef, const DeferredIndex& index) {
  // "CREATE INDEX views_movie_started_idx ON public.views USING btree (movie_id, started_at)"
  const std::string suffix = std::string(" USING ") + index.definition;
  return indexdef.rfind("CREATE INDEX ", 0) == 0 && indexdef.size() > suffix.size()
         && indexdef.compare(indexdef.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void CreateIndex(PgConnection& conn, const DeferredIndex& index) {
  conn.Exec(std::string("CREATE INDEX IF NOT EXISTS ") + index.name + " ON " + index.table + " USING "
            + index.definition);
}

void AddForeignKey(PgConnection& conn, const DeferredForeignKey& fk, bool exists) {
  if (!exists)
    conn.Exec(std::string("ALTER TABLE ") + fk.table + " ADD CONSTRAINT " + fk.name + " " + fk.definition
              + " NOT VALID");
  const std::string validate = std::string("ALTER TABLE ") + fk.table + " VALIDATE CONSTRAINT " + fk.name;
  try {
    conn.Exec(validate);
  } catch (const PgQueryError& e) {
    if (!e.is_foreign_key_violation() || !fk.cascades) throw;
    // A user deleted while the key was dropped: its rows are what ON DELETE CASCADE would have removed.
    auto deleted = conn.Exec(std::string("DELETE FROM ") + fk.table + " t WHERE NOT EXISTS "
                             + "(SELECT 1 FROM users u WHERE u.id = t.user_id)")
                       .affected_rows();
    spdlog::warn("ingest: deleted {} {} rows of users deleted during a bulk load (their cascade)", deleted,
                 fk.table);
    conn.Exec(validate);
  }
}

}  // namespace

bool DropDeferred(PgConnection& conn) {
  auto catalog = ReadCatalog(conn);
  std::vector<std::string> statements;
  for (const auto& fk : kForeignKeys) {
    auto it = catalog.foreign_keys.find(fk.name);
    if (it == catalog.foreign_keys.end()) continue;
    if (it->second.definition != fk.definition) {
      spdlog::warn("ingest: {} is '{}', not '{}': bulk mode off", fk.name, it->second.definition,
                   fk.definition);
      return false;
    }
    statements.push_back(std::string("ALTER TABLE ") + fk.table + " DROP CONSTRAINT " + fk.name);
  }
  for (const auto& index : kIndexes) {
    auto it = catalog.indexes.find(index.name);
    if (it == catalog.indexes.end()) continue;
    if (!SameIndex(it->second, index)) {
      spdlog::warn("ingest: {} is '{}': bulk mode off", index.name, it->second);
      return false;
    }
    statements.push_back(std::string("DROP INDEX ") + index.name);
  }
  try {
    conn.Transaction([&](PgConnection& c) {
      // A session of the service holding a lock on views must not stall the load (nor be stalled by it).
      c.Exec("SET LOCAL lock_timeout = '5s'");
      for (const auto& statement : statements)
        c.Exec(statement);
    });
  } catch (const PgQueryError& e) {
    if (e.sqlstate() != "55P03") throw;  // lock_not_available
    spdlog::warn("ingest: views or reactions stayed locked by another session: bulk mode off ({})", e.what());
    return false;
  }
  return true;
}

std::vector<std::string> RestoreDeferred(const std::vector<PgConnection*>& connections) {
  auto catalog = ReadCatalog(*connections.front());
  std::vector<const DeferredIndex*> indexes;
  for (const auto& index : kIndexes)
    if (!catalog.indexes.count(index.name)) indexes.push_back(&index);
  std::vector<const DeferredForeignKey*> fks;
  for (const auto& fk : kForeignKeys) {
    auto it = catalog.foreign_keys.find(fk.name);
    if (it == catalog.foreign_keys.end() || !it->second.validated) fks.push_back(&fk);
  }
  std::vector<std::string> created;
  if (indexes.empty() && fks.empty()) return created;

  // Indexes first (the foreign key checks of later deletes use them), each connection taking the next one
  // not yet started: two builds on views run at once (CREATE INDEX takes a SHARE lock; they do not conflict).
  std::atomic<std::size_t> next{0};
  auto build = [&](PgConnection& conn) {
    conn.Exec("SET statement_timeout = 0");
    conn.Exec(kBuildMemory);
    for (std::size_t k; (k = next++) < indexes.size();)
      CreateIndex(conn, *indexes[k]);
    conn.Exec("RESET maintenance_work_mem");
  };
  std::vector<std::future<void>> helpers;
  for (std::size_t c = 1; c < connections.size() && c < indexes.size(); ++c)
    helpers.push_back(std::async(std::launch::async, [&, c] { build(*connections[c]); }));
  std::exception_ptr error;
  try {
    build(*connections.front());
  } catch (...) {
    error = std::current_exception();
  }
  for (auto& helper : helpers) {
    try {
      helper.get();
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  for (const auto* index : indexes)
    created.emplace_back(index->name);

  // Foreign keys: ADD ... NOT VALID takes its locks for a moment; VALIDATE scans without blocking writers.
  for (const auto* fk : fks) {
    AddForeignKey(*connections.front(), *fk, catalog.foreign_keys.count(fk->name) > 0);
    created.emplace_back(fk->name);
  }
  return created;
}

}  // namespace cinerec::ingest
