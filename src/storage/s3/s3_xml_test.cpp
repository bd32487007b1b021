#include "storage/s3/s3_xml.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace cinerec::s3 {
namespace {

TEST(S3XmlTest, ParsesErrorDocuments) {
  const auto error = ParseError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not "
      "match</Message><RequestId>tx1</RequestId></Error>");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->message, "The request signature we calculated does not match");
  EXPECT_FALSE(ParseError("").has_value());
  EXPECT_FALSE(ParseError("<html>Bad Gateway</html>").has_value());
  EXPECT_FALSE(ParseError("<CompleteMultipartUploadResult/>").has_value());
}

TEST(S3XmlTest, ParsesListPageWithDefaultNamespaceAndUrlEncoding) {
  const auto page = ParseListPage(
      "<?xml version='1.0' encoding='UTF-8'?>"
      "<ListBucketResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>a%20</Prefix>"
      "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</"
      "IsTruncated>"
      "<NextContinuationToken>dG9rZW4=</NextContinuationToken>"
      "<Contents><Key>a%20b%2Bc</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>"
      "<ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag><Size>1</Size><StorageClass>STANDARD</"
      "StorageClass>"
      "</Contents><Contents><Key>a+z</Key><LastModified>x</LastModified><ETag>\"e\"</ETag><Size>12345678901</"
      "Size>"
      "</Contents></ListBucketResult>");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "a b+c");
  EXPECT_EQ(page.objects[0].etag, "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(page.objects[0].size, 1u);
  EXPECT_EQ(page.objects[0].last_modified, "2026-01-02T03:04:05.000Z");
  EXPECT_EQ(page.objects[1].key, "a z");
  EXPECT_EQ(page.objects[1].size, 12345678901u);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_continuation_token, "dG9rZW4=");
}

TEST(S3XmlTest, ParsesPrefixedNamespaceAndLeavesUnencodedKeysAlone) {
  const auto page = ParseListPage(
      "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:IsTruncated>false"
      "</s3:IsTruncated><s3:Contents><s3:Key>a+b%20</s3:Key><s3:Size>3</s3:Size><s3:ETag>e</s3:ETag>"
      "</s3:Contents></s3:ListBucketResult>");
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "a+b%20");
  EXPECT_FALSE(page.truncated);
}

TEST(S3XmlTest, MalformedAnswersThrowStoreError) {
  EXPECT_THROW(ParseListPage("<html/>"), StoreError);
  EXPECT_THROW(ParseListPage("<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents>"
                             "</ListBucketResult>"),
               StoreError);
  EXPECT_THROW(ParseListPage("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
               StoreError);
  EXPECT_THROW(ParseUploadId("<InitiateMultipartUploadResult/>"), StoreError);
}

TEST(S3XmlTest, UploadIdAndCompleteDocument) {
  EXPECT_EQ(ParseUploadId(
                "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                "<Bucket>b</Bucket><Key>k</Key><UploadId>abc+/=</UploadId></InitiateMultipartUploadResult>"),
            "abc+/=");
  EXPECT_EQ(
      BuildCompleteMultipartUpload({{1, "\"e1\""}, {2, "\"e2\""}}),
      "<?xml version=\"1.0\"?><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
      "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>");
}

}  // namespace
}  // namespace cinerec::s3
