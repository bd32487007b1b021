#pragma once
// A model version in memory: its named artefacts and the manifest fields the trainer supplies (data window
// and counts, parameters, metrics). The manifest's file list is derived from the artefacts by
// BuildManifest(). Not thread-safe while being built; read-only use from several threads is safe.
#include <map>
#include <string>
#include <string_view>

#include "modelstore/artefact.h"
#include "modelstore/manifest.h"

namespace cinerec::modelstore {

class ModelBundle {
 public:
  // A bundle for a new version (NewVersionId()) created now.
  ModelBundle();
  // REQUIRES: IsValidVersionId(version) (throws std::invalid_argument otherwise).
  ModelBundle(std::string version, std::string created_at);

  const std::string& version() const { return version_; }
  const std::string& created_at() const { return created_at_; }

  // Free-form JSON objects recorded in the manifest.
  boost::json::object& data() { return data_; }
  boost::json::object& parameters() { return parameters_; }
  boost::json::object& metrics() { return metrics_; }
  const boost::json::object& data() const { return data_; }
  const boost::json::object& parameters() const { return parameters_; }
  const boost::json::object& metrics() const { return metrics_; }

  // Throws std::invalid_argument when an artefact of that name is already there.
  void Add(Artefact artefact);
  // nullptr when absent.
  const Artefact* Find(std::string_view name) const;
  // Throws ModelStoreError naming the version when absent.
  const Artefact& Get(std::string_view name) const;
  const std::map<std::string, Artefact, std::less<>>& artefacts() const { return artefacts_; }

  // The manifest: the fields above plus one entry per artefact (size and SHA-256 of its encoded file).
  modelstore::Manifest BuildManifest() const;

 private:
  std::string version_;
  std::string created_at_;
  boost::json::object data_;
  boost::json::object parameters_;
  boost::json::object metrics_;
  std::map<std::string, Artefact, std::less<>> artefacts_;
};

// The object name of an artefact's file ("<name>.bin").
std::string ArtefactFileName(std::string_view name);

}  // namespace cinerec::modelstore
