#pragma once
// A gzip file written in pieces (zlib, RFC 1952 with no name or time stamp: the same input always gives
// the same bytes, so an export repeated on unchanged data has the same checksum).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

namespace cinerec::analytics {

class GzipFile {
 public:
  // Creates (truncates) `path`. Throws std::runtime_error naming the path.
  explicit GzipFile(const std::filesystem::path& path);
  ~GzipFile();
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  void Write(std::string_view data);
  // Flushes the stream and closes the file; returns the compressed size. REQUIRES: called once.
  std::uint64_t Finish();

 private:
  void Deflate(int flush);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decompresses a whole gzip stream (for tests and checks).
std::string Gunzip(std::string_view data);

}  // namespace cinerec::analytics
