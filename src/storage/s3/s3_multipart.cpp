// Multipart upload of a file: CreateMultipartUpload, one UploadPart per `part_size` bytes (each streamed from
// the file and signed with its own SHA-256), CompleteMultipartUpload; AbortMultipartUpload when any step
// fails, so that no orphaned parts keep using space on the server. Parts go up one after the other: on the
// 2-core machines we run on, the disk read and hashing, not the network, set the pace.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "common/errors.h"
#include "storage/s3/s3_codec.h"
#include "storage/s3/s3_digest.h"
#include "storage/s3/s3_object_store_impl.h"
#include "storage/s3/s3_xml.h"

namespace cinerec {
namespace {

constexpr std::uint64_t kMaxParts = 10000;  // S3's limit: bigger files get bigger parts

std::uint64_t PartSizeFor(std::uint64_t file_size, std::uint64_t configured) {
  const std::uint64_t minimum_for_limit = (file_size + kMaxParts - 1) / kMaxParts;
  return std::max<std::uint64_t>({configured, minimum_for_limit, 1});
}

}  // namespace

void S3ObjectStore::Impl::PutFileInParts(const std::string& key, const s3::OpenFile& file) {
  const std::string what = Describe("multipart PUT", key);

  s3::HttpRequest create;
  create.method = "POST";
  create.url = ObjectUrl(key, "uploads=");
  create.headers.push_back("Content-Type: application/octet-stream");  // the object's, not the request's
  create.idempotent = false;                                           // a repeat would start a second upload
  const s3::HttpResponse created = http.Perform(create, what + " (CreateMultipartUpload)");
  if (!IsSuccess(created.status)) Fail(what + " (CreateMultipartUpload)", created);
  const std::string upload_id = s3::ParseUploadId(created.body);
  const std::string upload_query = "uploadId=" + s3::UriEncode(upload_id, false);

  try {
    const std::uint64_t part_size = PartSizeFor(file.size, config.part_size);
    std::vector<s3::CompletedPart> parts;
    for (std::uint64_t offset = 0; offset < file.size; offset += part_size) {
      const int number = static_cast<int>(parts.size()) + 1;
      const std::uint64_t length = std::min(part_size, file.size - offset);
      s3::HttpRequest part;
      part.method = "PUT";
      part.url = ObjectUrl(key, "partNumber=" + std::to_string(number) + "&" + upload_query);
      part.file_body = s3::FileRange{file.fd.get(), offset, length};
      part.payload_sha256 = s3::Sha256HexOfFile(file.fd.get(), offset, length);
      part.long_transfer = true;
      const std::string part_what = what + " (part " + std::to_string(number) + ")";
      const s3::HttpResponse uploaded = http.Perform(part, part_what);
      if (!IsSuccess(uploaded.status)) Fail(part_what, uploaded);
      std::string etag = uploaded.Header("etag");
      if (etag.empty()) throw StoreError("s3", part_what + ": the answer carries no ETag");
      parts.push_back({number, std::move(etag)});
    }

    const std::string body = s3::BuildCompleteMultipartUpload(parts);
    s3::HttpRequest complete;
    complete.method = "POST";
    complete.url = ObjectUrl(key, upload_query);
    complete.headers.push_back("Content-Type: application/xml");
    complete.body = body;
    complete.payload_sha256 = s3::Sha256Hex(body);
    complete.idempotent = false;  // a repeat after a lost answer would see NoSuchUpload
    const s3::HttpResponse completed = http.Perform(complete, what + " (CompleteMultipartUpload)");
    // CompleteMultipartUpload may fail after "200 OK" has been sent: the error is then in the body.
    if (!IsSuccess(completed.status) || s3::ParseError(completed.body)) {
      Fail(what + " (CompleteMultipartUpload)", completed);
    }
  } catch (...) {
    s3::HttpRequest abort;
    abort.method = "DELETE";
    abort.url = ObjectUrl(key, upload_query);
    try {
      const s3::HttpResponse aborted = http.Perform(abort, what + " (AbortMultipartUpload)");
      if (!IsSuccess(aborted.status) && aborted.status != 404)
        Fail(what + " (AbortMultipartUpload)", aborted);
    } catch (const std::exception& e) {
      // The original failure matters more to the caller; the server's lifecycle rules reap what is left.
      spdlog::warn("s3: could not abort multipart upload {} of {}: {}", upload_id, key, e.what());
    }
    throw;
  }
}

}  // namespace cinerec
