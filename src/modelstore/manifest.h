#pragma once
// A model version's manifest.json and version ids (docs/model-store.md lists every field).
//
// Version ids are "YYYYMMDDTHHMMSSZ-xxxxxx" (UTC creation time, then 6 random lower-case hex digits), so
// sorting ids as strings sorts them by creation time.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec::modelstore {

inline constexpr int kManifestFormat = 1;

// A new id for a version created at `now`; `random` supplies the 24-bit suffix (tests pass a fixed one).
std::string NewVersionId(std::chrono::system_clock::time_point now, std::uint32_t random);
// Same, with the current time and a random suffix.
std::string NewVersionId();
bool IsValidVersionId(std::string_view version);
// "2026-11-24T16:50:00Z" for a valid id; REQUIRES: IsValidVersionId(version).
std::string VersionCreatedAt(std::string_view version);

// One artefact file of a version, as the manifest records it.
struct ManifestFile {
  std::string name;  // the artefact's name
  std::string file;  // the object name under models/<version>/: "<name>.bin"
  std::uint64_t size = 0;
  std::string sha256;        // hex, of the whole file
  std::string element_type;  // "float32", ...
  std::string layout;        // "vector", "matrix", "ragged"
  std::uint64_t dim0 = 0;
  std::uint64_t dim1 = 0;

  friend bool operator==(const ManifestFile&, const ManifestFile&) = default;
};

struct Manifest {
  std::string version;
  std::string created_at;    // ISO-8601 UTC
  boost::json::object data;  // data window and counts (supplied by the trainer; free-form)
  boost::json::object parameters;
  boost::json::object metrics;
  std::vector<ManifestFile> files;  // sorted by name

  // The file entry of artefact `name`, or nullptr.
  const ManifestFile* Find(std::string_view name) const;
  std::uint64_t TotalBytes() const;

  // Pretty-printed JSON (2-space indent, fields in a fixed order), ending with a newline.
  std::string ToJson() const;
  // Validates the format number, the version id, every required field and its type, file names and sizes.
  // Throws ModelStoreError naming `source` and the field.
  static Manifest Parse(std::string_view json, std::string_view source);

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

// Indented JSON for people (Boost.JSON only prints compactly).
std::string PrettyJson(const boost::json::value& value);

}  // namespace cinerec::modelstore
