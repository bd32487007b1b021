#include "collect/spool/wal_format.h"

#include <fmt/format.h>

#include <charconv>

namespace cinerec::collect::wal {
namespace {

constexpr std::string_view kSegmentSuffix = ".wal";
constexpr std::size_t kSeqDigits = 20;  // enough for any u64

// Explicit little-endian, whatever the host's byte order.
void PutLe(char* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}
std::uint64_t GetLe(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}

}  // namespace

void EncodeHeader(std::uint64_t seq, std::uint32_t length, Crc32 payload_crc, char* out) {
  PutLe(out, kMagic, 1);
  PutLe(out + 1, kVersion, 1);
  PutLe(out + 2, 0, 2);
  PutLe(out + 4, length, 4);
  PutLe(out + 8, seq, 8);
  payload_crc.Update(out, kChecksummedHeaderBytes);
  PutLe(out + 16, payload_crc.value(), 4);
}

std::optional<RecordHeader> DecodeHeader(const char* in) {
  if (GetLe(in, 1) != kMagic || GetLe(in + 1, 1) != kVersion || GetLe(in + 2, 2) != 0) return std::nullopt;
  RecordHeader header;
  header.length = static_cast<std::uint32_t>(GetLe(in + 4, 4));
  header.seq = GetLe(in + 8, 8);
  header.crc = static_cast<std::uint32_t>(GetLe(in + 16, 4));
  if (header.length > kMaxRecordBytes || header.seq == 0) return std::nullopt;
  return header;
}

bool ChecksumMatches(const char* header, std::string_view payload, std::uint32_t crc) {
  Crc32 computed;
  computed.Update(payload);
  computed.Update(header, kChecksummedHeaderBytes);
  return computed.value() == crc;
}

std::string SegmentFileName(std::uint64_t first_seq) {
  return fmt::format("{:0{}}{}", first_seq, kSeqDigits, kSegmentSuffix);
}

std::optional<std::uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kSeqDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix))
    return std::nullopt;
  std::uint64_t seq = 0;
  const char* end = name.data() + kSeqDigits;
  auto [ptr, ec] = std::from_chars(name.data(), end, seq);
  if (ec != std::errc() || ptr != end || seq == 0) return std::nullopt;
  return seq;
}

}  // namespace cinerec::collect::wal
