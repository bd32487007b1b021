#include "training/pg_data_counts.h"

#include <string_view>

#include "storage/postgres/pg_pool.h"

namespace cinerec::training {
namespace {

// $1 since (NULL = unbounded). Two counts over the whole tables: a few seconds at tens of millions of rows,
// so the statement timeout of the API pool is lifted for this one transaction.
constexpr std::string_view kCount = R"sql(
SELECT (SELECT count(*) FROM views v JOIN movies m ON m.id = v.movie_id
        WHERE m.deleted_at IS NULL AND ($1::timestamptz IS NULL OR v.last_event_at >= $1::timestamptz)),
       (SELECT count(*) FROM reactions r JOIN movies m ON m.id = r.movie_id
        WHERE m.deleted_at IS NULL AND r.value <> 0
          AND ($1::timestamptz IS NULL OR r.event_time >= $1::timestamptz)))sql";

}  // namespace

DataCounts CountTrainingRows(PgPool& pg, const std::optional<std::string>& since) {
  return pg.Transaction([&](PgConnection& conn) {
    conn.Exec("SET LOCAL statement_timeout = 0");
    const PgResult r = conn.Exec(kCount, PgParams(since));
    return DataCounts{r.GetInt(0, 0), r.GetInt(0, 1)};
  });
}

}  // namespace cinerec::training
