#pragma once
// One named array of a model (factor matrix, id map, neighbour lists, ...) and its file format.
//
// A file is a 64-byte header, the name, zero padding up to the next multiple of 64, then the payload
// (docs/model-store.md has the byte layout). Everything is little-endian. The payload starts 64-byte aligned,
// so a file read with one read() into a 64-byte-aligned buffer, or mmap'd, can be used in place.
//
//   offset size field
//        0    8 magic "CNRCARTF"
//        8    2 format version (kArtefactFormatVersion)
//       10    1 element type (ElementType)
//       11    1 layout (Layout)
//       12    2 name length in bytes (1..kMaxArtefactName)
//       14    2 reserved, 0
//       16    8 dim0: vector length / matrix rows / ragged rows
//       24    8 dim1: 0 / matrix columns / ragged value count
//       32    8 payload size in bytes
//       40    4 CRC-32 (zlib) of the payload
//       44    4 CRC-32 (zlib) of header bytes 0..43 followed by the name
//       48   16 reserved, 0
//
// Payload: vector and matrix = the values (matrix row-major); ragged (CSR) = dim0 + 1 u64 offsets (first 0,
// non-decreasing, last = dim1) then dim1 values; row r is values[offsets[r], offsets[r+1]).
//
// Decoding validates every field, sizes without overflow, both checksums, the padding and the ragged offsets;
// any problem throws ArtefactError naming the file and what is wrong. Hostile input never causes UB.
// An Artefact is immutable after construction and safe to read from several threads.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "modelstore/errors.h"

namespace cinerec::modelstore {

inline constexpr std::uint16_t kArtefactFormatVersion = 1;
inline constexpr std::size_t kArtefactHeaderBytes = 64;
inline constexpr std::size_t kArtefactAlignment = 64;
inline constexpr std::size_t kMaxArtefactName = 200;

enum class ElementType : std::uint8_t { kFloat32 = 1, kFloat64 = 2, kInt32 = 3, kInt64 = 4, kUint8 = 5 };
enum class Layout : std::uint8_t { kVector = 1, kMatrix = 2, kRagged = 3 };

std::string_view ToString(ElementType type);  // "float32", "int64", ...
std::string_view ToString(Layout layout);     // "vector", "matrix", "ragged"
std::size_t ElementSize(ElementType type);

template <typename T>
constexpr ElementType ElementTypeOf();
template <>
constexpr ElementType ElementTypeOf<float>() {
  return ElementType::kFloat32;
}
template <>
constexpr ElementType ElementTypeOf<double>() {
  return ElementType::kFloat64;
}
template <>
constexpr ElementType ElementTypeOf<std::int32_t>() {
  return ElementType::kInt32;
}
template <>
constexpr ElementType ElementTypeOf<std::int64_t>() {
  return ElementType::kInt64;
}
template <>
constexpr ElementType ElementTypeOf<std::uint8_t>() {
  return ElementType::kUint8;
}

// A file that is not a valid artefact; the message starts with the file's name.
class ArtefactError : public ModelStoreError {
 public:
  using ModelStoreError::ModelStoreError;
};

// True for names of 1..kMaxArtefactName characters from [A-Za-z0-9_.-] that do not start with '.'.
bool IsValidArtefactName(std::string_view name);

class Artefact {
 public:
  // Throw std::invalid_argument on an invalid name or inconsistent sizes.
  template <typename T>
  static Artefact Vector(std::string name, std::span<const T> values) {
    return Make(std::move(name), ElementTypeOf<T>(), Layout::kVector, values.size(), 0, {}, AsBytes(values));
  }
  // REQUIRES: values.size() == rows * cols (row-major).
  template <typename T>
  static Artefact Matrix(std::string name, std::uint64_t rows, std::uint64_t cols,
                         std::span<const T> values) {
    return Make(std::move(name), ElementTypeOf<T>(), Layout::kMatrix, rows, cols, {}, AsBytes(values));
  }
  // REQUIRES: offsets.size() >= 1, offsets[0] == 0, non-decreasing, offsets.back() == values.size().
  template <typename T>
  static Artefact Ragged(std::string name, std::span<const std::uint64_t> offsets,
                         std::span<const T> values) {
    if (offsets.empty()) throw std::invalid_argument("ragged artefact needs at least one offset");
    return Make(std::move(name), ElementTypeOf<T>(), Layout::kRagged, offsets.size() - 1, values.size(),
                AsBytes(offsets), AsBytes(values));
  }

  // Validates and copies `bytes` (a whole file) into aligned storage. `source` names the file in errors.
  static Artefact Decode(std::string_view bytes, std::string_view source);
  // Reads a whole file with a single read() into aligned storage, then validates it.
  static Artefact ReadFile(const std::filesystem::path& path);
  // Writes Encoded() to `path` (replaced atomically).
  void WriteFile(const std::filesystem::path& path) const;

  const std::string& name() const { return name_; }
  ElementType element_type() const { return type_; }
  Layout layout() const { return layout_; }
  std::uint64_t dim0() const { return dim0_; }
  std::uint64_t dim1() const { return dim1_; }
  // Vector length, matrix rows or ragged rows.
  std::uint64_t rows() const { return dim0_; }
  // Matrix columns (1 for a vector, the value count for a ragged array).
  std::uint64_t cols() const { return layout_ == Layout::kVector ? 1 : dim1_; }
  std::uint32_t payload_crc() const { return payload_crc_; }

  // The file image: header, name, padding, payload.
  std::string_view Encoded() const { return {reinterpret_cast<const char*>(image_.get()), size_}; }
  std::string_view Payload() const { return Encoded().substr(payload_offset_); }

  // The values; throws std::logic_error when T is not the element type.
  template <typename T>
  std::span<const T> Values() const {
    CheckType(ElementTypeOf<T>());
    return {reinterpret_cast<const T*>(image_.get() + values_offset_), values_count_};
  }
  // The dim0 + 1 offsets of a ragged array; throws std::logic_error for other layouts.
  std::span<const std::uint64_t> Offsets() const;

  friend bool operator==(const Artefact& a, const Artefact& b) { return a.Encoded() == b.Encoded(); }

 private:
  struct FreeDeleter {
    void operator()(std::byte* p) const;
  };
  using Image = std::unique_ptr<std::byte[], FreeDeleter>;

  Artefact() = default;
  template <typename T>
  static std::span<const std::byte> AsBytes(std::span<const T> values) {
    return std::as_bytes(values);
  }
  static Artefact Make(std::string name, ElementType type, Layout layout, std::uint64_t dim0,
                       std::uint64_t dim1, std::span<const std::byte> offsets,
                       std::span<const std::byte> values);
  static Artefact Parse(Image image, std::size_t size, std::string_view source);
  static Image Allocate(std::size_t size);
  void CheckType(ElementType expected) const;

  Image image_;
  std::size_t size_ = 0;
  std::string name_;
  ElementType type_ = ElementType::kUint8;
  Layout layout_ = Layout::kVector;
  std::uint64_t dim0_ = 0;
  std::uint64_t dim1_ = 0;
  std::uint32_t payload_crc_ = 0;
  std::size_t payload_offset_ = 0;
  std::size_t values_offset_ = 0;  // from the start of the image
  std::size_t values_count_ = 0;
};

}  // namespace cinerec::modelstore
