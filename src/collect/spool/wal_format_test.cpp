#include "collect/spool/wal_format.h"

#include <gtest/gtest.h>

namespace cinerec::collect::wal {
namespace {

TEST(WalFormatTest, Crc32IsZlibsCrc32) {
  Crc32 crc;
  crc.Update("123456789");
  EXPECT_EQ(crc.value(), 0xCBF43926u);  // the standard check value of CRC-32/ISO-HDLC (zlib's crc32)
}

TEST(WalFormatTest, HeaderRoundTripsLittleEndian) {
  const std::string payload = "payload";
  Crc32 crc;
  crc.Update(payload);
  char header[kHeaderBytes];
  EncodeHeader(0x0102030405060708ull, 7, crc, header);
  EXPECT_EQ(static_cast<unsigned char>(header[0]), 0xC7);
  EXPECT_EQ(header[1], 1);
  EXPECT_EQ(header[4], 7);
  EXPECT_EQ(header[8], 0x08);
  EXPECT_EQ(header[15], 0x01);
  auto decoded = DecodeHeader(header);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->seq, 0x0102030405060708ull);
  EXPECT_EQ(decoded->length, 7u);
  EXPECT_TRUE(ChecksumMatches(header, payload, decoded->crc));
  EXPECT_FALSE(ChecksumMatches(header, "Payload", decoded->crc));
  header[0] = 0;
  EXPECT_FALSE(DecodeHeader(header));
}

TEST(WalFormatTest, SegmentFileNames) {
  EXPECT_EQ(SegmentFileName(1), "00000000000000000001.wal");
  EXPECT_EQ(ParseSegmentFileName("00000000000000012345.wal"), 12345u);
  EXPECT_FALSE(ParseSegmentFileName("00000000000000000000.wal"));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000001.wal"));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000001x.wal"));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000000001.tmp"));
}

}  // namespace
}  // namespace cinerec::collect::wal
