#pragma once
// Hex digests through OpenSSL's EVP interface: SHA-256 for SigV4's x-amz-content-sha256 header, MD5 for the
// ETags the in-memory fake reports. Thread-safe (no shared state).
#include <cstdint>
#include <string>
#include <string_view>

namespace cinerec::s3 {

// The SHA-256 of an empty payload, which every bodiless request declares.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Sha256Hex(std::string_view data);
// SHA-256 of `length` bytes of the open file `fd` starting at `offset`, read with pread in blocks (never the
// whole range in memory). Throws std::system_error on a read error or a file shorter than the range.
std::string Sha256HexOfFile(int fd, std::uint64_t offset, std::uint64_t length);
std::string Md5Hex(std::string_view data);

}  // namespace cinerec::s3
