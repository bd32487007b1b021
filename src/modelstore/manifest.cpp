#include "modelstore/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <random>

#include "modelstore/artefact.h"
#include "modelstore/errors.h"

namespace cinerec::modelstore {
namespace json = boost::json;
namespace {

constexpr std::size_t kVersionLength = 23;  // YYYYMMDDTHHMMSSZ-xxxxxx

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLowerHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f');
}
bool IsLowerHexString(std::string_view s) {
  return std::all_of(s.begin(), s.end(), IsLowerHex);
}

void PrettyInto(const json::value& value, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (value.is_object() && !value.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : value.get_object()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad + json::serialize(json::string_view(key)) + ": ";
      PrettyInto(member, indent + 2, out);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
  } else if (value.is_array() && !value.get_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& element : value.get_array()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad;
      PrettyInto(element, indent + 2, out);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "]";
  } else if (value.is_double()) {
    // Shortest round-trip form ("0.31", not Boost.JSON's "3.1E-1"), still read back as a double.
    std::string number = fmt::format("{}", value.get_double());
    if (number.find_first_of(".e") == std::string::npos) number += ".0";
    out += number;
  } else {
    out += json::serialize(value);
  }
}

class FieldReader {
 public:
  FieldReader(const json::object& object, std::string_view source, std::string path)
      : object_(object), source_(source), path_(std::move(path)) {}

  [[noreturn]] void Fail(std::string_view key, std::string_view problem) const {
    throw ModelStoreError(fmt::format("{}: invalid manifest: {}{}: {}", source_, path_, key, problem));
  }
  const json::value& Required(std::string_view key) const {
    const json::value* v = object_.if_contains(key);
    if (!v) Fail(key, "missing");
    return *v;
  }
  std::string String(std::string_view key) const {
    const json::value& v = Required(key);
    if (!v.is_string()) Fail(key, "not a string");
    return std::string(v.get_string());
  }
  std::uint64_t Unsigned(std::string_view key) const {
    const json::value& v = Required(key);
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    Fail(key, "not a non-negative integer");
  }
  json::object Object(std::string_view key) const {
    const json::value* v = object_.if_contains(key);
    if (!v) return {};
    if (!v->is_object()) Fail(key, "not an object");
    return v->get_object();
  }

 private:
  const json::object& object_;
  std::string_view source_;
  std::string path_;
};

}  // namespace

std::string NewVersionId(std::chrono::system_clock::time_point now, std::uint32_t random) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:06x}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, random & 0xFFFFFFu);
}

std::string NewVersionId() {
  std::random_device device;
  return NewVersionId(std::chrono::system_clock::now(), device());
}

bool IsValidVersionId(std::string_view v) {
  if (v.size() != kVersionLength || v[8] != 'T' || v[15] != 'Z' || v[16] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (!IsDigit(v[i])) return false;
  }
  return IsLowerHexString(v.substr(17));
}

std::string VersionCreatedAt(std::string_view v) {
  return fmt::format("{}-{}-{}T{}:{}:{}Z", v.substr(0, 4), v.substr(4, 2), v.substr(6, 2), v.substr(9, 2),
                     v.substr(11, 2), v.substr(13, 2));
}

const ManifestFile* Manifest::Find(std::string_view name) const {
  for (const auto& f : files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::uint64_t Manifest::TotalBytes() const {
  std::uint64_t total = 0;
  for (const auto& f : files)
    total += f.size;
  return total;
}

std::string Manifest::ToJson() const {
  json::array file_array;
  for (const auto& f : files) {
    file_array.push_back(json::object{{"name", f.name},
                                      {"file", f.file},
                                      {"size", f.size},
                                      {"sha256", f.sha256},
                                      {"element_type", f.element_type},
                                      {"layout", f.layout},
                                      {"shape", json::array{f.dim0, f.dim1}}});
  }
  const json::object root{
      {"format", kManifestFormat}, {"version", version}, {"created_at", created_at},      {"data", data},
      {"parameters", parameters},  {"metrics", metrics}, {"files", std::move(file_array)}};
  return PrettyJson(root) + "\n";
}

Manifest Manifest::Parse(std::string_view text, std::string_view source) {
  boost::system::error_code error;
  const json::value root = json::parse(json::string_view(text.data(), text.size()), error);
  if (error)
    throw ModelStoreError(fmt::format("{}: invalid manifest: not JSON ({})", source, error.message()));
  if (!root.is_object())
    throw ModelStoreError(fmt::format("{}: invalid manifest: not a JSON object", source));
  const FieldReader top(root.get_object(), source, "");
  const std::uint64_t format = top.Unsigned("format");
  if (format != kManifestFormat)
    top.Fail("format", fmt::format("{} is not supported (this build reads {})", format, kManifestFormat));

  Manifest m;
  m.version = top.String("version");
  if (!IsValidVersionId(m.version)) top.Fail("version", "'" + m.version + "' is not a version id");
  m.created_at = top.String("created_at");
  m.data = top.Object("data");
  m.parameters = top.Object("parameters");
  m.metrics = top.Object("metrics");
  const json::value& files = top.Required("files");
  if (!files.is_array()) top.Fail("files", "not an array");
  std::size_t index = 0;
  for (const json::value& entry : files.get_array()) {
    const std::string path = fmt::format("files[{}].", index++);
    if (!entry.is_object()) top.Fail(path, "not an object");
    const FieldReader r(entry.get_object(), source, path);
    ManifestFile f;
    f.name = r.String("name");
    if (!IsValidArtefactName(f.name)) r.Fail("name", "invalid artefact name '" + f.name + "'");
    if (m.Find(f.name)) r.Fail("name", "'" + f.name + "' appears twice");
    f.file = r.String("file");
    if (f.file != f.name + ".bin") r.Fail("file", "expected '" + f.name + ".bin'");
    f.size = r.Unsigned("size");
    f.sha256 = r.String("sha256");
    if (f.sha256.size() != 64 || !IsLowerHexString(f.sha256))
      r.Fail("sha256", "not 64 lower-case hex digits");
    f.element_type = r.String("element_type");
    f.layout = r.String("layout");
    const json::value& shape = r.Required("shape");
    if (!shape.is_array() || shape.get_array().size() != 2 || !shape.get_array()[0].is_number()
        || !shape.get_array()[1].is_number())
      r.Fail("shape", "not an array of two integers");
    const json::object shape_fields{{"0", shape.get_array()[0]}, {"1", shape.get_array()[1]}};
    const FieldReader dims(shape_fields, source, path + "shape.");
    f.dim0 = dims.Unsigned("0");
    f.dim1 = dims.Unsigned("1");
    m.files.push_back(std::move(f));
  }
  std::sort(m.files.begin(), m.files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return m;
}

std::string PrettyJson(const json::value& value) {
  std::string out;
  PrettyInto(value, 0, out);
  return out;
}

}  // namespace cinerec::modelstore
