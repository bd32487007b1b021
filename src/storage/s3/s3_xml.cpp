#include "storage/s3/s3_xml.h"

#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "common/errors.h"
#include "storage/s3/s3_codec.h"

namespace cinerec::s3 {
namespace {

constexpr const char* kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string_view LocalName(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node child : parent.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) return child;
  }
  return {};
}

std::string ChildText(const pugi::xml_node& parent, std::string_view name) {
  return Child(parent, name).text().as_string();
}

// The document element, when it has the expected local name.
std::optional<pugi::xml_node> Root(pugi::xml_document& document, std::string_view body,
                                   std::string_view name) {
  const pugi::xml_parse_result parsed = document.load_buffer(body.data(), body.size());
  if (!parsed) return std::nullopt;
  pugi::xml_node root = document.document_element();
  if (!root || LocalName(root) != name) return std::nullopt;
  return root;
}

pugi::xml_node RequireRoot(pugi::xml_document& document, std::string_view body, std::string_view name) {
  if (auto root = Root(document, body, name)) return *root;
  const std::string_view head = body.substr(0, 200);
  throw StoreError("s3", "malformed answer: expected <" + std::string(name) + ">, got: " + std::string(head));
}

std::uint64_t ParseSize(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw StoreError("s3", "malformed answer: object size '" + text + "' is not a number");
  }
  return value;
}

}  // namespace

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::optional<S3ErrorBody> ParseError(std::string_view body) {
  if (body.empty()) return std::nullopt;
  pugi::xml_document document;
  const auto root = Root(document, body, "Error");
  if (!root) return std::nullopt;
  return S3ErrorBody{ChildText(*root, "Code"), ChildText(*root, "Message")};
}

ListPage ParseListPage(std::string_view body) {
  pugi::xml_document document;
  const pugi::xml_node root = RequireRoot(document, body, "ListBucketResult");
  const bool url_encoded = ChildText(root, "EncodingType") == "url";
  ListPage page;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element || LocalName(child) != "Contents") continue;
    ObjectInfo info;
    const std::string key = ChildText(child, "Key");
    info.key = url_encoded ? UrlDecodeListingKey(key) : key;
    info.size = ParseSize(ChildText(child, "Size"));
    info.etag = Unquote(ChildText(child, "ETag"));
    info.last_modified = ChildText(child, "LastModified");
    page.objects.push_back(std::move(info));
  }
  page.truncated = ChildText(root, "IsTruncated") == "true";
  page.next_continuation_token = ChildText(root, "NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    throw StoreError("s3", "malformed answer: a truncated listing without NextContinuationToken");
  }
  return page;
}

std::string ParseUploadId(std::string_view body) {
  pugi::xml_document document;
  const pugi::xml_node root = RequireRoot(document, body, "InitiateMultipartUploadResult");
  std::string upload_id = ChildText(root, "UploadId");
  if (upload_id.empty())
    throw StoreError("s3", "malformed answer: InitiateMultipartUploadResult without UploadId");
  return upload_id;
}

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts) {
  pugi::xml_document document;
  pugi::xml_node root = document.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = kS3Namespace;
  for (const CompletedPart& part : parts) {
    pugi::xml_node node = root.append_child("Part");
    node.append_child("PartNumber").text() = part.number;
    node.append_child("ETag").text() = part.etag.c_str();
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  return out.str();
}

}  // namespace cinerec::s3
