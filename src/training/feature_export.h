#pragma once
// User features for a trained model: reads the users' activity from PostgreSQL, takes their factor vectors
// from the model's `user_ids` / `user_factors` artefacts, and writes the feature set to S3
// (training/feature_writer.h). Used by `cinerec train` after publishing and by `cinerec export features`.
#include <optional>
#include <string>

#include "training/feature_writer.h"

namespace cinerec {
class ObjectStore;
class PgPool;
}  // namespace cinerec
namespace cinerec::modelstore {
class ModelBundle;
}

namespace cinerec::training {

struct FeatureExportOptions {
  std::optional<std::string> since;  // PostgreSQL timestamptz literals; nullopt = unbounded
  std::optional<std::string> until;  // also the recency reference (as_of); nullopt = now
  double completed_share = 0.9;
  std::size_t rows_per_part = 100000;
  std::string prefix = std::string(kFeaturesPrefix);
};

// Throws StoreError (PostgreSQL or S3 unreachable), PgQueryError (bad window literal), ModelStoreError (the
// model lacks user_ids or user_factors).
FeatureSetResult ExportUserFeatures(PgPool& pg, ObjectStore& objects, const modelstore::ModelBundle& model,
                                    const FeatureExportOptions& options);

}  // namespace cinerec::training
