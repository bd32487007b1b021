#include "modelstore/artefact.h"

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>

#include "storage/s3/s3_file.h"

namespace cinerec::modelstore {
namespace {

static_assert(std::endian::native == std::endian::little, "artefact payloads are little-endian in memory");

constexpr char kMagic[8] = {'C', 'N', 'R', 'C', 'A', 'R', 'T', 'F'};
constexpr std::size_t kChecksummedHeaderBytes = 44;

std::uint32_t Crc32(std::uint32_t crc, const void* data, std::size_t size) {
  return static_cast<std::uint32_t>(::crc32_z(crc, static_cast<const Bytef*>(data), size));
}

template <typename T>
void Store(std::byte* at, T value) {
  std::memcpy(at, &value, sizeof value);
}
template <typename T>
T Load(const std::byte* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

// a * b + c, or false on overflow.
bool MulAdd(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t& out) {
  std::uint64_t product = 0;
  return !__builtin_mul_overflow(a, b, &product) && !__builtin_add_overflow(product, c, &out);
}

std::size_t AlignUp(std::size_t n) {
  return (n + kArtefactAlignment - 1) / kArtefactAlignment * kArtefactAlignment;
}

bool IsKnownType(std::uint8_t t) {
  return t >= static_cast<std::uint8_t>(ElementType::kFloat32)
         && t <= static_cast<std::uint8_t>(ElementType::kUint8);
}
bool IsKnownLayout(std::uint8_t l) {
  return l >= static_cast<std::uint8_t>(Layout::kVector) && l <= static_cast<std::uint8_t>(Layout::kRagged);
}

// Bytes of the offsets (ragged only) and the values, or false when they overflow 64 bits.
bool PayloadBytes(ElementType type, Layout layout, std::uint64_t dim0, std::uint64_t dim1,
                  std::uint64_t& offsets_bytes, std::uint64_t& payload_bytes) {
  const std::uint64_t element = ElementSize(type);
  offsets_bytes = 0;
  switch (layout) {
    case Layout::kVector:
      return dim1 == 0 && MulAdd(dim0, element, 0, payload_bytes);
    case Layout::kMatrix: {
      std::uint64_t count = 0;
      return MulAdd(dim0, dim1, 0, count) && MulAdd(count, element, 0, payload_bytes);
    }
    case Layout::kRagged: {
      std::uint64_t rows_plus_one = 0;
      return !__builtin_add_overflow(dim0, std::uint64_t{1}, &rows_plus_one)
             && MulAdd(rows_plus_one, sizeof(std::uint64_t), 0, offsets_bytes)
             && MulAdd(dim1, element, offsets_bytes, payload_bytes);
    }
  }
  return false;
}

}  // namespace

std::string_view ToString(ElementType type) {
  switch (type) {
    case ElementType::kFloat32:
      return "float32";
    case ElementType::kFloat64:
      return "float64";
    case ElementType::kInt32:
      return "int32";
    case ElementType::kInt64:
      return "int64";
    case ElementType::kUint8:
      return "uint8";
  }
  return "unknown";
}

std::string_view ToString(Layout layout) {
  switch (layout) {
    case Layout::kVector:
      return "vector";
    case Layout::kMatrix:
      return "matrix";
    case Layout::kRagged:
      return "ragged";
  }
  return "unknown";
}

std::size_t ElementSize(ElementType type) {
  switch (type) {
    case ElementType::kFloat32:
    case ElementType::kInt32:
      return 4;
    case ElementType::kFloat64:
    case ElementType::kInt64:
      return 8;
    case ElementType::kUint8:
      return 1;
  }
  return 1;
}

bool IsValidArtefactName(std::string_view name) {
  if (name.empty() || name.size() > kMaxArtefactName || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void Artefact::FreeDeleter::operator()(std::byte* p) const {
  std::free(p);
}

Artefact::Image Artefact::Allocate(std::size_t size) {
  void* p = std::aligned_alloc(kArtefactAlignment, AlignUp(size == 0 ? 1 : size));
  if (!p) throw std::bad_alloc();
  return Image(static_cast<std::byte*>(p));
}

Artefact Artefact::Make(std::string name, ElementType type, Layout layout, std::uint64_t dim0,
                        std::uint64_t dim1, std::span<const std::byte> offsets,
                        std::span<const std::byte> values) {
  if (!IsValidArtefactName(name))
    throw std::invalid_argument(fmt::format(
        "invalid artefact name '{}': use 1-{} characters of [A-Za-z0-9_.-]", name, kMaxArtefactName));
  std::uint64_t offsets_bytes = 0;
  std::uint64_t payload_bytes = 0;
  if (!PayloadBytes(type, layout, dim0, dim1, offsets_bytes, payload_bytes) || offsets.size() != offsets_bytes
      || offsets.size() + values.size() != payload_bytes)
    throw std::invalid_argument(fmt::format("artefact '{}': {} values do not fill a {} {}x{} {}", name,
                                            values.size() / ElementSize(type), ToString(type), dim0, dim1,
                                            ToString(layout)));
  if (layout == Layout::kRagged) {
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i * 8 < offsets.size(); ++i) {
      const auto offset = Load<std::uint64_t>(offsets.data() + i * 8);
      if ((i == 0 && offset != 0) || offset < previous || offset > dim1)
        throw std::invalid_argument(
            fmt::format("artefact '{}': ragged offset {} = {} is out of order", name, i, offset));
      previous = offset;
    }
    if (previous != dim1)
      throw std::invalid_argument(
          fmt::format("artefact '{}': the last offset {} is not the value count {}", name, previous, dim1));
  }

  const std::size_t payload_offset = AlignUp(kArtefactHeaderBytes + name.size());
  const std::size_t size = payload_offset + payload_bytes;
  Image image = Allocate(size);
  std::memset(image.get(), 0, payload_offset);
  std::byte* payload = image.get() + payload_offset;
  if (!offsets.empty()) std::memcpy(payload, offsets.data(), offsets.size());
  if (!values.empty()) std::memcpy(payload + offsets.size(), values.data(), values.size());

  std::byte* h = image.get();
  std::memcpy(h, kMagic, sizeof kMagic);
  Store<std::uint16_t>(h + 8, kArtefactFormatVersion);
  Store<std::uint8_t>(h + 10, static_cast<std::uint8_t>(type));
  Store<std::uint8_t>(h + 11, static_cast<std::uint8_t>(layout));
  Store<std::uint16_t>(h + 12, static_cast<std::uint16_t>(name.size()));
  Store<std::uint64_t>(h + 16, dim0);
  Store<std::uint64_t>(h + 24, dim1);
  Store<std::uint64_t>(h + 32, payload_bytes);
  Store<std::uint32_t>(h + 40, Crc32(0, payload, payload_bytes));
  std::memcpy(h + kArtefactHeaderBytes, name.data(), name.size());
  Store<std::uint32_t>(h + 44, Crc32(Crc32(0, h, kChecksummedHeaderBytes), name.data(), name.size()));
  return Parse(std::move(image), size, name);
}

Artefact Artefact::Decode(std::string_view bytes, std::string_view source) {
  Image image = Allocate(bytes.size());
  if (!bytes.empty()) std::memcpy(image.get(), bytes.data(), bytes.size());
  return Parse(std::move(image), bytes.size(), source);
}

Artefact Artefact::ReadFile(const std::filesystem::path& path) {
  const s3::OpenFile file = s3::OpenForReading(path);
  Image image = Allocate(file.size);
  std::size_t done = 0;
  while (done < file.size) {  // one read() for any file the kernel hands over at once
    const ssize_t n = ::read(file.fd.get(), image.get() + done, file.size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::filesystem::filesystem_error("read", path, std::error_code(errno, std::generic_category()));
    if (n == 0) break;  // shrank while we read: Parse reports it truncated
    done += static_cast<std::size_t>(n);
  }
  return Parse(std::move(image), done, path.string());
}

void Artefact::WriteFile(const std::filesystem::path& path) const {
  s3::TempFileBeside temp(path);
  s3::WriteAll(temp.fd(), Encoded(), path);
  temp.Commit();
}

Artefact Artefact::Parse(Image image, std::size_t size, std::string_view source) {
  auto fail = [&](const std::string& problem) {
    return ArtefactError(fmt::format("{}: not a valid model artefact: {}", source, problem));
  };
  const std::byte* h = image.get();
  if (size < kArtefactHeaderBytes)
    throw fail(
        fmt::format("truncated: {} bytes, shorter than the {}-byte header", size, kArtefactHeaderBytes));
  if (std::memcmp(h, kMagic, sizeof kMagic) != 0)
    throw fail("wrong magic (not written by cinerec's model store)");
  const auto version = Load<std::uint16_t>(h + 8);
  if (version != kArtefactFormatVersion)
    throw fail(fmt::format("format version {} is not supported (this build reads version {})", version,
                           kArtefactFormatVersion));
  const auto raw_type = Load<std::uint8_t>(h + 10);
  const auto raw_layout = Load<std::uint8_t>(h + 11);
  const auto name_length = Load<std::uint16_t>(h + 12);
  if (!IsKnownType(raw_type)) throw fail(fmt::format("unknown element type {}", raw_type));
  if (!IsKnownLayout(raw_layout)) throw fail(fmt::format("unknown layout {}", raw_layout));
  if (name_length == 0 || name_length > kMaxArtefactName)
    throw fail(fmt::format("name length {}", name_length));
  if (Load<std::uint16_t>(h + 14) != 0 || Load<std::uint64_t>(h + 48) != 0
      || Load<std::uint64_t>(h + 56) != 0)
    throw fail("reserved header bytes are not zero");
  const std::size_t payload_offset = AlignUp(kArtefactHeaderBytes + name_length);
  if (size < payload_offset)
    throw fail(fmt::format("truncated: {} bytes, the header and name need {}", size, payload_offset));
  const std::string name(reinterpret_cast<const char*>(h + kArtefactHeaderBytes), name_length);
  const std::uint32_t header_crc = Crc32(Crc32(0, h, kChecksummedHeaderBytes), name.data(), name.size());
  if (header_crc != Load<std::uint32_t>(h + 44))
    throw fail("header checksum mismatch (the header is corrupted)");
  if (!IsValidArtefactName(name)) throw fail("invalid name");
  for (std::size_t i = kArtefactHeaderBytes + name_length; i < payload_offset; ++i) {
    if (h[i] != std::byte{0}) throw fail("padding before the payload is not zero");
  }

  Artefact a;
  a.type_ = static_cast<ElementType>(raw_type);
  a.layout_ = static_cast<Layout>(raw_layout);
  a.dim0_ = Load<std::uint64_t>(h + 16);
  a.dim1_ = Load<std::uint64_t>(h + 24);
  const auto payload_bytes = Load<std::uint64_t>(h + 32);
  std::uint64_t offsets_bytes = 0;
  std::uint64_t expected_bytes = 0;
  if (!PayloadBytes(a.type_, a.layout_, a.dim0_, a.dim1_, offsets_bytes, expected_bytes)
      || expected_bytes != payload_bytes)
    throw fail(fmt::format("payload size {} does not match a {} {} of shape {}x{}", payload_bytes,
                           ToString(a.type_), ToString(a.layout_), a.dim0_, a.dim1_));
  if (size - payload_offset != payload_bytes)
    throw fail(fmt::format("{}: {} bytes, the header announces {}",
                           size - payload_offset < payload_bytes ? "truncated" : "trailing bytes", size,
                           payload_offset + payload_bytes));
  const std::byte* payload = h + payload_offset;
  a.payload_crc_ = Crc32(0, payload, payload_bytes);
  if (a.payload_crc_ != Load<std::uint32_t>(h + 40))
    throw fail(
        fmt::format("payload checksum mismatch (crc32 {:08x}, header says {:08x}): the data is corrupted",
                    a.payload_crc_, Load<std::uint32_t>(h + 40)));
  if (a.layout_ == Layout::kRagged) {
    std::uint64_t previous = 0;
    for (std::uint64_t i = 0; i <= a.dim0_; ++i) {
      const auto offset = Load<std::uint64_t>(payload + i * 8);
      if ((i == 0 && offset != 0) || offset < previous || offset > a.dim1_)
        throw fail(
            fmt::format("ragged offset {} = {} is out of order or beyond the {} values", i, offset, a.dim1_));
      previous = offset;
    }
    if (previous != a.dim1_)
      throw fail(fmt::format("the last ragged offset {} is not the value count {}", previous, a.dim1_));
  }

  a.image_ = std::move(image);
  a.size_ = size;
  a.name_ = name;
  a.payload_offset_ = payload_offset;
  a.values_offset_ = payload_offset + offsets_bytes;
  a.values_count_ = (payload_bytes - offsets_bytes) / ElementSize(a.type_);
  return a;
}

std::span<const std::uint64_t> Artefact::Offsets() const {
  if (layout_ != Layout::kRagged) throw std::logic_error("artefact '" + name_ + "' is not ragged");
  return {reinterpret_cast<const std::uint64_t*>(image_.get() + payload_offset_), dim0_ + 1};
}

void Artefact::CheckType(ElementType expected) const {
  if (expected != type_)
    throw std::logic_error(
        fmt::format("artefact '{}' holds {}, not {}", name_, ToString(type_), ToString(expected)));
}

}  // namespace cinerec::modelstore
