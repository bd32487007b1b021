#pragma once
// Text encodings the S3 REST API needs: percent-encoding of keys and query values exactly as SigV4
// canonicalises them (so that the URL we send is already canonical and the signature curl computes matches
// the server's), decoding of `encoding-type=url` listings, and HTTP dates. Pure functions, thread-safe.
#include <string>
#include <string_view>

namespace cinerec::s3 {

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every other
// byte becomes %XX with upper-case hex. With `keep_slash`, '/' stays too (object keys in a path).
std::string UriEncode(std::string_view text, bool keep_slash);

// Reverses the encoding S3 applies to keys in listings with `encoding-type=url`. AWS writes a space as '+'
// (and a real '+' as %2B), Swift writes %20: decoding '+' as a space is right for both.
std::string UrlDecodeListingKey(std::string_view text);

// "Wed, 21 Oct 2015 07:28:00 GMT" (a Last-Modified header) -> "2015-10-21T07:28:00.000Z", the form listings
// use, so that ObjectInfo::last_modified looks the same whichever call produced it. Unparsable input is
// returned unchanged.
std::string HttpDateToIso8601(const std::string& http_date);

}  // namespace cinerec::s3
