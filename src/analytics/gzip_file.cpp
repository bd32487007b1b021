#include "analytics/gzip_file.h"

#include <zlib.h>

#include <stdexcept>
#include <string>

namespace cinerec::analytics {

struct GzipFile::Impl {
  std::filesystem::path path;
  std::FILE* file = nullptr;
  z_stream stream{};
  bool finished = false;
  std::uint64_t bytes = 0;
};

GzipFile::GzipFile(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = std::fopen(path.c_str(), "wb");
  if (!impl_->file) throw std::runtime_error("cannot create " + path.string());
  // windowBits 15 + 16: a gzip wrapper; level 6 (zlib's default) balances speed and size.
  if (deflateInit2(&impl_->stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::fclose(impl_->file);
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
}

GzipFile::~GzipFile() {
  deflateEnd(&impl_->stream);
  if (impl_->file) std::fclose(impl_->file);
}

void GzipFile::Deflate(int flush) {
  unsigned char out[64 * 1024];
  do {
    impl_->stream.next_out = out;
    impl_->stream.avail_out = sizeof out;
    const int rc = deflate(&impl_->stream, flush);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib: deflate failed");
    const std::size_t produced = sizeof out - impl_->stream.avail_out;
    if (produced > 0 && std::fwrite(out, 1, produced, impl_->file) != produced)
      throw std::runtime_error("cannot write " + impl_->path.string());
    impl_->bytes += produced;
  } while (impl_->stream.avail_out == 0);
}

void GzipFile::Write(std::string_view data) {
  // zlib takes at most 4 GiB per call (uInt).
  while (!data.empty()) {
    const std::size_t chunk = std::min<std::size_t>(data.size(), 1u << 30);
    impl_->stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    impl_->stream.avail_in = static_cast<uInt>(chunk);
    Deflate(Z_NO_FLUSH);
    data.remove_prefix(chunk);
  }
}

std::uint64_t GzipFile::Finish() {
  impl_->stream.next_in = nullptr;
  impl_->stream.avail_in = 0;
  Deflate(Z_FINISH);
  impl_->finished = true;
  if (std::fclose(impl_->file) != 0) {
    impl_->file = nullptr;
    throw std::runtime_error("cannot write " + impl_->path.string());
  }
  impl_->file = nullptr;
  return impl_->bytes;
}

std::string Gunzip(std::string_view data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  unsigned char buffer[64 * 1024];
  int rc = Z_OK;
  do {
    stream.next_out = buffer;
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      throw std::runtime_error("not a valid gzip stream");
    }
    out.append(reinterpret_cast<char*>(buffer), sizeof buffer - stream.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

}  // namespace cinerec::analytics
