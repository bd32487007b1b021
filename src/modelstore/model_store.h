#pragma once
// Model versions in an ObjectStore (docs/model-store.md):
//
//   models/<version>/<name>.bin     one artefact per file (modelstore/artefact.h)
//   models/<version>/manifest.json  written last by Upload: a version without it is incomplete
//   models/LATEST                   the published version, "<version>\n"; one PUT, so readers see the old or
//                                   the new version, never a mix
//   models/HISTORY                  JSON: the versions published so far, oldest first (what Rollback uses)
//
// LATEST is the truth; HISTORY says what came before it. Publish writes HISTORY then LATEST, Rollback writes
// LATEST then HISTORY, and History() reconciles the two (cut after LATEST's last appearance, or LATEST
// appended when missing), so a process killed between the two PUTs leaves a consistent state.
//
// Errors: ModelStoreError for refusals (unknown or incomplete version, corrupted file, nothing to roll back
// to), with what to do; StoreError when S3 cannot answer. Stateless beyond the store reference, so calls may
// come from several threads, but only one process may publish, roll back or retain at a time (HISTORY is
// read-modified-written; the trainer's lock provides that).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modelstore/manifest.h"
#include "modelstore/model_bundle.h"

namespace cinerec {
class ObjectStore;
}

namespace cinerec::modelstore {

inline constexpr std::string_view kDefaultPrefix = "models/";
inline constexpr std::string_view kManifestFile = "manifest.json";

struct VersionSummary {
  std::string version;
  std::string created_at;   // from the id
  bool complete = false;    // its manifest is there
  std::size_t files = 0;    // artefact files (the manifest not counted)
  std::uint64_t bytes = 0;  // all its objects
  bool latest = false;
  bool previous = false;  // where Rollback() would go first
};

struct HistoryEntry {
  std::string version;
  std::string published_at;  // ISO-8601 UTC; empty when unknown
};

struct PublishResult {
  std::optional<std::string> previous;  // LATEST before
  bool already_latest = false;          // nothing written
};

struct RollbackResult {
  std::string from;
  std::string to;
  std::vector<std::string> skipped;  // earlier publications no longer complete (e.g. removed by hand)
};

struct RetainResult {
  std::vector<std::string> kept;     // newest first
  std::vector<std::string> deleted;  // newest first
};

class ModelStore {
 public:
  // `objects` must outlive this. `prefix` ends with '/'.
  explicit ModelStore(ObjectStore& objects, std::string prefix = std::string(kDefaultPrefix));

  // Uploads every artefact, then the manifest. Does not move LATEST. Refuses (ModelStoreError) a version
  // whose manifest is already there: versions are immutable.
  void Upload(const ModelBundle& bundle);
  // Checks the manifest and that every file is there with its size, then moves LATEST to `version`.
  PublishResult Publish(const std::string& version);
  // Moves LATEST back to the version published before it (skipping ones no longer complete).
  RollbackResult Rollback();
  // Every version under the prefix, complete or not, newest first.
  std::vector<VersionSummary> List();
  // The manifest; ModelStoreError when the version or its manifest is missing.
  Manifest Show(const std::string& version);
  // The published version; nullopt before the first Publish.
  std::optional<std::string> Latest();
  // Downloads every file, verifies size, SHA-256 and the artefact's own checksums and shape against the
  // manifest; the artefacts are bit-identical to the uploaded ones.
  ModelBundle Load(const std::string& version);
  // Deletes every version but the newest `keep` (>= 1), the one LATEST names and the one Rollback() would
  // go to. A deleted version loses its manifest first, so it never looks complete half-deleted.
  RetainResult Retain(std::size_t keep);
  // The publications that lead to LATEST, oldest first, LATEST last (reconciled as described above).
  std::vector<HistoryEntry> History();

 private:
  std::string Key(const std::string& version, std::string_view file) const;
  // Throws ModelStoreError unless the manifest and every file (with its size) are there.
  Manifest Verify(const std::string& version);
  void WriteHistory(const std::vector<HistoryEntry>& history);
  void WriteLatest(const std::string& version);
  std::vector<HistoryEntry> ReadHistory();

  ObjectStore& objects_;
  std::string prefix_;
};

}  // namespace cinerec::modelstore
