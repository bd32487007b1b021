#include "training/feature_export.h"

#include <boost/json.hpp>

#include "modelstore/model_bundle.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::training {

FeatureSetResult ExportUserFeatures(PgPool& pg, ObjectStore& objects, const modelstore::ModelBundle& model,
                                    const FeatureExportOptions& options) {
  const auto& ids = model.Get("user_ids");
  const auto& factors = model.Get("user_factors");
  const UserFactorIndex index(ids.Values<std::int64_t>(), factors.Values<float>(),
                              static_cast<std::size_t>(factors.cols()));

  // The recency reference in PostgreSQL's reading of the literal, so that `until` means the same as in the
  // window of the query.
  const PgResult as_of =
      pg.Exec("SELECT (extract(epoch FROM coalesce($1::timestamptz, now())) * 1000)::bigint",
              PgParams(options.until));
  ActivityReadOptions read;
  read.since = options.since;
  read.until = options.until;
  read.completed_share = options.completed_share;
  const UserActivity activity = ReadUserActivity(pg, read);

  FeatureSetOptions write;
  write.prefix = options.prefix;
  write.as_of_ms = as_of.GetInt(0, 0);
  write.rows_per_part = options.rows_per_part;
  write.model_version = model.version();
  write.window = {
      {"since", options.since ? boost::json::value(*options.since) : boost::json::value(nullptr)},
      {"until", options.until ? boost::json::value(*options.until) : boost::json::value(nullptr)}};
  return WriteFeatureSet(objects, activity, index, write);
}

}  // namespace cinerec::training
