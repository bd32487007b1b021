#include "modelstore/model_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <stdexcept>

#include "storage/s3/object_store.h"
#include "storage/s3/s3_digest.h"

namespace cinerec::modelstore {
namespace json = boost::json;
namespace {

constexpr std::string_view kLatest = "LATEST";
constexpr std::string_view kHistory = "HISTORY";

std::string NowUtc() {
  return VersionCreatedAt(NewVersionId(std::chrono::system_clock::now(), 0));
}

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

}  // namespace

ModelStore::ModelStore(ObjectStore& objects, std::string prefix)
    : objects_(objects), prefix_(std::move(prefix)) {
  if (prefix_.empty() || prefix_.back() != '/')
    throw std::invalid_argument("model store prefix '" + prefix_ + "' must end with '/'");
}

std::string ModelStore::Key(const std::string& version, std::string_view file) const {
  return prefix_ + version + "/" + std::string(file);
}

void ModelStore::Upload(const ModelBundle& bundle) {
  const Manifest manifest = bundle.BuildManifest();
  const std::string manifest_key = Key(bundle.version(), kManifestFile);
  if (objects_.Head(manifest_key))
    throw ModelStoreError(
        fmt::format("version {} is already uploaded ({} exists); versions are immutable: "
                    "upload a new bundle under a new version",
                    bundle.version(), manifest_key));
  for (const auto& [name, artefact] : bundle.artefacts())
    objects_.Put(Key(bundle.version(), ArtefactFileName(name)), artefact.Encoded());
  objects_.Put(manifest_key, manifest.ToJson(), "application/json");
}

Manifest ModelStore::Show(const std::string& version) {
  if (!IsValidVersionId(version))
    throw ModelStoreError(
        fmt::format("'{}' is not a version id (YYYYMMDDTHHMMSSZ-xxxxxx); `cinerec models list` "
                    "shows the versions",
                    version));
  const std::string key = Key(version, kManifestFile);
  const auto text = objects_.Get(key);
  if (!text) {
    const bool has_files = !objects_.List(prefix_ + version + "/").empty();
    throw ModelStoreError(
        has_files ? fmt::format("version {} is incomplete: {} is missing (its upload did not "
                                "finish; upload it again or let `cinerec models retain` remove it)",
                                version, key)
                  : fmt::format("version {} not found under {}; `cinerec models list` shows the "
                                "versions",
                                version, prefix_));
  }
  Manifest manifest = Manifest::Parse(*text, key);
  if (manifest.version != version)
    throw ModelStoreError(
        fmt::format("{}: the manifest names version {}, not {}", key, manifest.version, version));
  return manifest;
}

Manifest ModelStore::Verify(const std::string& version) {
  Manifest manifest = Show(version);
  std::map<std::string, std::uint64_t> sizes;
  for (const ObjectInfo& info : objects_.List(prefix_ + version + "/"))
    sizes[info.key] = info.size;
  for (const ManifestFile& f : manifest.files) {
    const std::string key = Key(version, f.file);
    const auto it = sizes.find(key);
    if (it == sizes.end())
      throw ModelStoreError(
          fmt::format("version {} is incomplete: {} is missing; upload the model again "
                      "under a new version",
                      version, key));
    if (it->second != f.size)
      throw ModelStoreError(
          fmt::format("version {} is damaged: {} has {} bytes, the manifest says {}; upload "
                      "the model again under a new version",
                      version, key, it->second, f.size));
  }
  return manifest;
}

std::optional<std::string> ModelStore::Latest() {
  const std::string key = prefix_ + std::string(kLatest);
  const auto text = objects_.Get(key);
  if (!text) return std::nullopt;
  std::string version = Trim(*text);
  if (!IsValidVersionId(version))
    throw ModelStoreError(fmt::format("{} holds '{}', not a version id; publish a version to repair it", key,
                                      version.substr(0, 60)));
  return version;
}

void ModelStore::WriteLatest(const std::string& version) {
  objects_.Put(prefix_ + std::string(kLatest), version + "\n", "text/plain");
}

std::vector<HistoryEntry> ModelStore::ReadHistory() {
  const std::string key = prefix_ + std::string(kHistory);
  const auto text = objects_.Get(key);
  if (!text) return {};
  const auto fail = [&](std::string_view problem) {
    return ModelStoreError(fmt::format("{} is damaged ({}); delete it to start a new history", key, problem));
  };
  boost::system::error_code error;
  const json::value root = json::parse(json::string_view(text->data(), text->size()), error);
  if (error || !root.is_object()) throw fail("not a JSON object");
  const json::value* published = root.get_object().if_contains("published");
  if (!published || !published->is_array()) throw fail("no \"published\" array");
  std::vector<HistoryEntry> history;
  for (const json::value& entry : published->get_array()) {
    const json::object* object = entry.if_object();
    const json::value* version = object ? object->if_contains("version") : nullptr;
    const json::value* at = object ? object->if_contains("published_at") : nullptr;
    if (!version || !version->is_string() || !IsValidVersionId(version->get_string()))
      throw fail("an entry without a valid \"version\"");
    history.push_back({std::string(version->get_string()),
                       at && at->is_string() ? std::string(at->get_string()) : std::string()});
  }
  return history;
}

void ModelStore::WriteHistory(const std::vector<HistoryEntry>& history) {
  json::array published;
  for (const HistoryEntry& e : history)
    published.push_back(json::object{{"version", e.version}, {"published_at", e.published_at}});
  objects_.Put(prefix_ + std::string(kHistory),
               PrettyJson(json::object{{"published", std::move(published)}}) + "\n", "application/json");
}

std::vector<HistoryEntry> ModelStore::History() {
  std::vector<HistoryEntry> history = ReadHistory();
  const auto latest = Latest();
  if (!latest) return {};
  const auto last = std::find_if(history.rbegin(), history.rend(),
                                 [&](const HistoryEntry& e) { return e.version == *latest; });
  if (last == history.rend()) {
    history.push_back({*latest, ""});
  } else {
    history.erase(last.base(), history.end());  // publications LATEST does not name never completed
  }
  return history;
}

PublishResult ModelStore::Publish(const std::string& version) {
  Verify(version);
  PublishResult result;
  result.previous = Latest();
  if (result.previous == version) {
    result.already_latest = true;
    return result;
  }
  std::vector<HistoryEntry> history = History();
  history.push_back({version, NowUtc()});
  WriteHistory(history);  // first: a crash before LATEST moves is undone by History()'s reconciliation
  WriteLatest(version);
  return result;
}

RollbackResult ModelStore::Rollback() {
  std::vector<HistoryEntry> history = History();
  if (history.empty())
    throw ModelStoreError("nothing is published yet: `cinerec models publish VERSION` publishes a version");
  RollbackResult result;
  result.from = history.back().version;
  history.pop_back();
  while (!history.empty()) {
    const std::string candidate = history.back().version;
    if (candidate != result.from) {
      try {
        Verify(candidate);
        result.to = candidate;
        break;
      } catch (const ModelStoreError&) {
        result.skipped.push_back(candidate);
      }
    }
    history.pop_back();
  }
  if (result.to.empty())
    throw ModelStoreError(
        fmt::format("no earlier published version to roll back to; LATEST stays {} "
                    "(`cinerec models publish VERSION` publishes any complete version)",
                    result.from));
  WriteLatest(result.to);  // first: History() then cuts HISTORY after the new LATEST's last appearance
  WriteHistory(history);
  return result;
}

std::vector<VersionSummary> ModelStore::List() {
  std::map<std::string, VersionSummary, std::greater<>> versions;  // newest first
  for (const ObjectInfo& info : objects_.List(prefix_)) {
    const std::string_view rest = std::string_view(info.key).substr(prefix_.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || !IsValidVersionId(rest.substr(0, slash))) continue;
    const std::string version(rest.substr(0, slash));
    VersionSummary& s = versions[version];
    s.version = version;
    s.created_at = VersionCreatedAt(version);
    s.bytes += info.size;
    if (rest.substr(slash + 1) == kManifestFile) {
      s.complete = true;
    } else {
      ++s.files;
    }
  }
  const std::vector<HistoryEntry> history = History();
  std::vector<VersionSummary> list;
  for (auto& [version, summary] : versions) {
    summary.latest = !history.empty() && history.back().version == version;
    list.push_back(std::move(summary));
  }
  // Where Rollback() goes first: the newest earlier publication, other than LATEST, that is still there.
  for (std::size_t i = history.size(); i-- > 1;) {
    const std::string& candidate = history[i - 1].version;
    if (candidate == history.back().version) continue;
    const auto it =
        std::find_if(list.begin(), list.end(), [&](const auto& s) { return s.version == candidate; });
    if (it != list.end() && it->complete) {
      it->previous = true;
      break;
    }
  }
  return list;
}

ModelBundle ModelStore::Load(const std::string& version) {
  const Manifest manifest = Show(version);
  ModelBundle bundle(manifest.version, manifest.created_at);
  bundle.data() = manifest.data;
  bundle.parameters() = manifest.parameters;
  bundle.metrics() = manifest.metrics;
  for (const ManifestFile& f : manifest.files) {
    const std::string key = Key(version, f.file);
    const auto bytes = objects_.Get(key);
    if (!bytes) throw ModelStoreError(fmt::format("version {} is incomplete: {} is missing", version, key));
    if (bytes->size() != f.size)
      throw ModelStoreError(
          fmt::format("{}: {} bytes, the manifest says {}: the file is truncated or replaced", key,
                      bytes->size(), f.size));
    if (const std::string sha = s3::Sha256Hex(*bytes); sha != f.sha256)
      throw ModelStoreError(
          fmt::format("{}: checksum mismatch (sha256 {}, the manifest says {}): the file is "
                      "corrupted",
                      key, sha, f.sha256));
    Artefact artefact = Artefact::Decode(*bytes, key);
    if (artefact.name() != f.name || ToString(artefact.element_type()) != f.element_type
        || ToString(artefact.layout()) != f.layout || artefact.dim0() != f.dim0 || artefact.dim1() != f.dim1)
      throw ModelStoreError(fmt::format(
          "{}: the artefact ({} {} {} {}x{}) does not match the manifest's entry", key, artefact.name(),
          ToString(artefact.element_type()), ToString(artefact.layout()), artefact.dim0(), artefact.dim1()));
    bundle.Add(std::move(artefact));
  }
  return bundle;
}

RetainResult ModelStore::Retain(std::size_t keep) {
  if (keep == 0) throw std::invalid_argument("retain: keep at least one version");
  const std::vector<VersionSummary> versions = List();
  std::set<std::string> protect;
  for (const VersionSummary& s : versions) {
    if (s.latest || s.previous) protect.insert(s.version);
  }
  RetainResult result;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const std::string& version = versions[i].version;
    if (i < keep || protect.contains(version)) {
      result.kept.push_back(version);
      continue;
    }
    objects_.Delete(Key(version, kManifestFile));  // first: never a complete-looking, half-deleted version
    for (const ObjectInfo& info : objects_.List(prefix_ + version + "/"))
      objects_.Delete(info.key);
    result.deleted.push_back(version);
  }
  return result;
}

}  // namespace cinerec::modelstore
