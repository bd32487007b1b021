#pragma once
// The XML documents of the S3 REST API, read and written with pugixml. Elements are matched by local name,
// so answers with a default namespace (AWS, Swift: xmlns="http://s3.amazonaws.com/doc/2006-03-01/") and with
// a prefixed one ("s3:Key") both parse. Malformed answers throw StoreError("s3", ...). Pure functions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/s3/object_store.h"

namespace cinerec::s3 {

// <Error><Code>NoSuchKey</Code><Message>...</Message></Error>
struct S3ErrorBody {
  std::string code;
  std::string message;
};
// nullopt when `body` is not an S3 <Error> document (empty body of a HEAD, an HTML page from a proxy...).
std::optional<S3ErrorBody> ParseError(std::string_view body);

// One page of ListObjectsV2.
struct ListPage {
  std::vector<ObjectInfo> objects;  // keys decoded when the answer says <EncodingType>url</EncodingType>
  bool truncated = false;
  std::string next_continuation_token;
};
ListPage ParseListPage(std::string_view body);

// <InitiateMultipartUploadResult><UploadId>...</UploadId></...>
std::string ParseUploadId(std::string_view body);

struct CompletedPart {
  int number = 0;
  std::string etag;  // as UploadPart returned it, quotes included
};
std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts);

// An ETag without its surrounding quotes.
std::string Unquote(std::string_view etag);

}  // namespace cinerec::s3
