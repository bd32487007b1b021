#include "modelstore/model_bundle.h"

#include <fmt/format.h>

#include <stdexcept>

#include "storage/s3/s3_digest.h"

namespace cinerec::modelstore {

std::string ArtefactFileName(std::string_view name) {
  return std::string(name) + ".bin";
}

ModelBundle::ModelBundle() : version_(NewVersionId()), created_at_(VersionCreatedAt(version_)) {}

ModelBundle::ModelBundle(std::string version, std::string created_at)
    : version_(std::move(version)), created_at_(std::move(created_at)) {
  if (!IsValidVersionId(version_))
    throw std::invalid_argument("'" + version_ + "' is not a version id (YYYYMMDDTHHMMSSZ-xxxxxx)");
}

void ModelBundle::Add(Artefact artefact) {
  const std::string name = artefact.name();
  if (!artefacts_.emplace(name, std::move(artefact)).second)
    throw std::invalid_argument("the bundle already has an artefact named '" + name + "'");
}

const Artefact* ModelBundle::Find(std::string_view name) const {
  const auto it = artefacts_.find(name);
  return it == artefacts_.end() ? nullptr : &it->second;
}

const Artefact& ModelBundle::Get(std::string_view name) const {
  const Artefact* a = Find(name);
  if (!a) throw ModelStoreError(fmt::format("model {} has no artefact named '{}'", version_, name));
  return *a;
}

Manifest ModelBundle::BuildManifest() const {
  modelstore::Manifest m;
  m.version = version_;
  m.created_at = created_at_;
  m.data = data_;
  m.parameters = parameters_;
  m.metrics = metrics_;
  for (const auto& [name, a] : artefacts_) {  // std::map: already sorted by name
    m.files.push_back({.name = name,
                       .file = ArtefactFileName(name),
                       .size = a.Encoded().size(),
                       .sha256 = s3::Sha256Hex(a.Encoded()),
                       .element_type = std::string(ToString(a.element_type())),
                       .layout = std::string(ToString(a.layout())),
                       .dim0 = a.dim0(),
                       .dim1 = a.dim1()});
  }
  return m;
}

}  // namespace cinerec::modelstore
