#include "storage/s3/s3_digest.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace cinerec::s3 {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext NewContext(const EVP_MD* type) {
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), type, nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise a digest");
  }
  return context;
}

void Update(EVP_MD_CTX* context, const void* data, std::size_t size) {
  if (EVP_DigestUpdate(context, data, size) != 1) throw std::runtime_error("OpenSSL: digest update failed");
}

std::string FinishHex(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context, digest, &size) != 1)
    throw std::runtime_error("OpenSSL: digest final failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0F]);
  }
  return hex;
}

std::string HexDigest(const EVP_MD* type, std::string_view data) {
  DigestContext context = NewContext(type);
  Update(context.get(), data.data(), data.size());
  return FinishHex(context.get());
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  return HexDigest(EVP_sha256(), data);
}

std::string Md5Hex(std::string_view data) {
  return HexDigest(EVP_md5(), data);
}

std::string Sha256HexOfFile(int fd, std::uint64_t offset, std::uint64_t length) {
  DigestContext context = NewContext(EVP_sha256());
  std::vector<char> buffer(1 << 20);
  while (length > 0) {
    const std::size_t want = length < buffer.size() ? static_cast<std::size_t>(length) : buffer.size();
    const ssize_t got = pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "reading the file to hash it");
    }
    if (got == 0)
      throw std::system_error(EIO, std::generic_category(), "file shorter than expected (changed?)");
    Update(context.get(), buffer.data(), static_cast<std::size_t>(got));
    offset += static_cast<std::uint64_t>(got);
    length -= static_cast<std::uint64_t>(got);
  }
  return FinishHex(context.get());
}

}  // namespace cinerec::s3
