#include "recommend/local_object_store.h"

#include <fstream>
#include <iterator>

#include "common/errors.h"

namespace cinerec::recommend {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void Fail(const std::string& what, const fs::path& path, const std::error_code& ec = {}) {
  throw StoreError("disk", what + " " + path.string() + (ec ? ": " + ec.message() : std::string()));
}

void WriteAtomically(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) Fail("cannot create the directory of", path, ec);
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) Fail("cannot write", temporary);
  }
  fs::rename(temporary, path, ec);
  if (ec) Fail("cannot rename into", path, ec);
}

}  // namespace

LocalObjectStore::LocalObjectStore(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) Fail("cannot create", root_, ec);
}

fs::path LocalObjectStore::PathOf(const std::string& key) const {
  const fs::path relative = fs::path(key).lexically_normal();
  if (key.empty() || relative.is_absolute() || *relative.begin() == "..")
    throw StoreError("disk", "key '" + key + "' leaves the model cache directory");
  return root_ / relative;
}

void LocalObjectStore::Ping() {
  if (!fs::is_directory(root_)) Fail("missing directory", root_);
}

void LocalObjectStore::Put(const std::string& key, std::string_view data, const std::string&) {
  WriteAtomically(PathOf(key), data);
}

void LocalObjectStore::PutFile(const std::string& key, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) Fail("cannot read", file);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteAtomically(PathOf(key), data);
}

std::optional<std::string> LocalObjectStore::Get(const std::string& key) {
  const fs::path path = PathOf(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) Fail("cannot read", path);
  return data;
}

bool LocalObjectStore::GetToFile(const std::string& key, const fs::path& file) {
  auto data = Get(key);
  if (!data) return false;
  WriteAtomically(file, *data);
  return true;
}

std::optional<ObjectInfo> LocalObjectStore::Head(const std::string& key) {
  const fs::path path = PathOf(key);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return std::nullopt;
  return ObjectInfo{key, size, "", ""};
}

std::vector<ObjectInfo> LocalObjectStore::List(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string key = fs::relative(it->path(), root_).generic_string();
    if (key.ends_with(".tmp") || key.rfind(prefix, 0) != 0) continue;
    out.push_back({key, it->file_size(), "", ""});
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

void LocalObjectStore::Delete(const std::string& key) {
  std::error_code ec;
  fs::remove(PathOf(key), ec);
}

}  // namespace cinerec::recommend
