#include "storage/s3/s3_codec.h"

#include <gtest/gtest.h>

#include "storage/s3/s3_digest.h"

namespace cinerec::s3 {
namespace {

TEST(S3CodecTest, UriEncodeKeepsUnreservedAndOptionallySlash) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a/b c+d=e", true), "a/b%20c%2Bd%3De");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("é", true), "%C3%A9");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(UriEncode(std::string("\0\xff", 2), true), "%00%FF");
}

TEST(S3CodecTest, UrlDecodeListingKeyHandlesAwsAndSwiftForms) {
  EXPECT_EQ(UrlDecodeListingKey("a+b%2Bc"), "a b+c");    // AWS: space as '+', '+' as %2B
  EXPECT_EQ(UrlDecodeListingKey("a%20b%2Bc"), "a b+c");  // Swift: quote()
  EXPECT_EQ(UrlDecodeListingKey("%E6%98%A0/x"), "映/x");
  EXPECT_EQ(UrlDecodeListingKey("100%"), "100%");  // stray '%' kept
}

TEST(S3CodecTest, HttpDateBecomesIso8601) {
  EXPECT_EQ(HttpDateToIso8601("Wed, 21 Oct 2015 07:28:00 GMT"), "2015-10-21T07:28:00.000Z");
  EXPECT_EQ(HttpDateToIso8601("not a date"), "not a date");
}

TEST(S3DigestTest, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), kEmptySha256);
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
}

}  // namespace
}  // namespace cinerec::s3
