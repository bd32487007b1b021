// The artefact file format: round trips of every layout and type, and every way a file can be damaged.
#include "modelstore/artefact.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace cinerec::modelstore {
namespace {

std::string ErrorOf(std::string_view bytes, std::string_view source = "models/v/x.bin") {
  try {
    Artefact::Decode(bytes, source);
  } catch (const ArtefactError& e) {
    return e.what();
  }
  return "(no ArtefactError)";
}

void ExpectRefused(std::string_view bytes, std::string_view expected_problem) {
  const std::string message = ErrorOf(bytes);
  EXPECT_EQ(message.rfind("models/v/x.bin: ", 0), 0u) << "names the file: " << message;
  EXPECT_NE(message.find(expected_problem), std::string::npos) << message;
}

template <typename T>
void Put(std::string& bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

Artefact SampleMatrix() {
  std::vector<float> values(3 * 5);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(i) * 0.5f - 3.25f;
  return Artefact::Matrix<float>("item_factors", 3, 5, values);
}

TEST(ArtefactTest, MatrixRoundTripsBitIdentically) {
  const Artefact a = SampleMatrix();
  EXPECT_EQ(a.name(), "item_factors");
  EXPECT_EQ(a.rows(), 3u);
  EXPECT_EQ(a.cols(), 5u);
  EXPECT_EQ(a.Encoded().size(), 128u + 15 * 4) << "64-byte header, name padded to 128, payload";
  EXPECT_EQ(a.Payload().size(), 60u);

  const Artefact b = Artefact::Decode(std::string(a.Encoded()), "copy");
  EXPECT_EQ(a, b);
  ASSERT_EQ(b.Values<float>().size(), 15u);
  EXPECT_EQ(b.Values<float>()[7], 0.25f);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.Values<float>().data()) % kArtefactAlignment, 0u)
      << "payload aligned for SIMD loads";
  EXPECT_THROW(b.Values<std::int32_t>(), std::logic_error);
  EXPECT_THROW(b.Offsets(), std::logic_error);
}

TEST(ArtefactTest, EveryElementTypeRoundTrips) {
  const std::vector<std::int64_t> ids = {7, -1, std::numeric_limits<std::int64_t>::max(), 0};
  const std::vector<std::int32_t> small = {1, -2, 3};
  const std::vector<double> doubles = {1e-300, -0.0, 3.5};
  const std::vector<std::uint8_t> bytes = {0, 255, 17};
  EXPECT_EQ(
      Artefact::Decode(Artefact::Vector<std::int64_t>("ids", ids).Encoded(), "f").Values<std::int64_t>()[2],
      ids[2]);
  EXPECT_EQ(
      Artefact::Decode(Artefact::Vector<std::int32_t>("s", small).Encoded(), "f").Values<std::int32_t>()[1],
      -2);
  const Artefact d = Artefact::Decode(Artefact::Vector<double>("d", doubles).Encoded(), "f");
  EXPECT_TRUE(std::signbit(d.Values<double>()[1]));
  EXPECT_EQ(
      Artefact::Decode(Artefact::Vector<std::uint8_t>("b", bytes).Encoded(), "f").Values<std::uint8_t>()[1],
      255);
  const Artefact empty = Artefact::Vector<float>("empty", {});
  EXPECT_EQ(Artefact::Decode(empty.Encoded(), "f").Values<float>().size(), 0u);
  EXPECT_EQ(empty.cols(), 1u);
}

TEST(ArtefactTest, RaggedNeighbourListsRoundTrip) {
  const std::vector<std::uint64_t> offsets = {0, 2, 2, 5};
  const std::vector<std::int32_t> ids = {4, 9, 1, 2, 3};
  const Artefact a = Artefact::Ragged<std::int32_t>("neighbors", offsets, ids);
  const Artefact b = Artefact::Decode(a.Encoded(), "f");
  EXPECT_EQ(b.layout(), Layout::kRagged);
  EXPECT_EQ(b.rows(), 3u);
  EXPECT_EQ(std::vector<std::uint64_t>(b.Offsets().begin(), b.Offsets().end()), offsets);
  EXPECT_EQ(std::vector<std::int32_t>(b.Values<std::int32_t>().begin(), b.Values<std::int32_t>().end()), ids);

  const std::vector<std::uint64_t> unordered = {0, 3, 2, 5};
  EXPECT_THROW(Artefact::Ragged<std::int32_t>("n", unordered, ids), std::invalid_argument);
  const std::vector<std::uint64_t> short_last = {0, 2, 4};
  EXPECT_THROW(Artefact::Ragged<std::int32_t>("n", short_last, ids), std::invalid_argument);
}

TEST(ArtefactTest, InvalidConstructionIsRefused) {
  const std::vector<float> six(6);
  EXPECT_THROW(Artefact::Matrix<float>("m", 2, 4, six), std::invalid_argument);
  EXPECT_THROW(Artefact::Vector<float>("a/b", six), std::invalid_argument);
  EXPECT_THROW(Artefact::Vector<float>("", six), std::invalid_argument);
  EXPECT_THROW(Artefact::Vector<float>(".hidden", six), std::invalid_argument);
  EXPECT_THROW(Artefact::Vector<float>(std::string(kMaxArtefactName + 1, 'a'), six), std::invalid_argument);
  EXPECT_NO_THROW(Artefact::Vector<float>(std::string(kMaxArtefactName, 'a'), six));
}

TEST(ArtefactTest, FilesRoundTripWithOneRead) {
  const auto dir = std::filesystem::temp_directory_path() / ("artefact_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const Artefact a = SampleMatrix();
  a.WriteFile(dir / "m.bin");
  EXPECT_EQ(Artefact::ReadFile(dir / "m.bin"), a);
  EXPECT_THROW(Artefact::ReadFile(dir / "missing.bin"), std::filesystem::filesystem_error);
  std::filesystem::resize_file(dir / "m.bin", 100);
  try {
    Artefact::ReadFile(dir / "m.bin");
    ADD_FAILURE() << "truncated file accepted";
  } catch (const ArtefactError& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "m.bin").string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(ArtefactTest, TruncationAnywhereIsRefused) {
  const std::string good(SampleMatrix().Encoded());
  for (std::size_t size = 0; size < good.size(); ++size)
    ExpectRefused(good.substr(0, size), "truncated");
  ExpectRefused(good + "x", "trailing bytes");
}

TEST(ArtefactTest, WrongMagicAndVersionAreNamed) {
  const std::string good(SampleMatrix().Encoded());
  std::string bad = good;
  bad[0] = 'X';
  ExpectRefused(bad, "wrong magic");
  ExpectRefused(std::string(200, '\0'), "wrong magic");
  bad = good;
  Put<std::uint16_t>(bad, 8, 2);
  ExpectRefused(bad, "format version 2 is not supported");
}

TEST(ArtefactTest, PayloadCorruptionIsAChecksumMismatch) {
  const std::string good(SampleMatrix().Encoded());
  for (std::size_t at = 128; at < good.size(); at += 7) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    ExpectRefused(bad, "payload checksum mismatch");
  }
}

TEST(ArtefactTest, HeaderCorruptionIsCaught) {
  const std::string good(SampleMatrix().Encoded());
  for (std::size_t at = 0; at < 128; ++at) {
    for (int bit : {0, 7}) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ (1 << bit));
      EXPECT_NE(ErrorOf(bad), "(no ArtefactError)") << "flip of bit " << bit << " at byte " << at;
    }
  }
}

// A header re-signed after a change: the checks behind the checksum still hold.
std::string Resign(std::string bytes) {
  std::uint16_t name_length = 0;
  std::memcpy(&name_length, bytes.data() + 12, 2);
  std::uint32_t crc =
      static_cast<std::uint32_t>(::crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), 44));
  const std::size_t signed_name = std::min<std::size_t>(name_length, bytes.size() - 64);
  crc = static_cast<std::uint32_t>(
      ::crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data() + 64), signed_name));
  Put<std::uint32_t>(bytes, 44, crc);
  return bytes;
}

TEST(ArtefactTest, HostileHeadersWithValidChecksumsAreRefused) {
  const std::string good(SampleMatrix().Encoded());
  std::string bad = good;
  Put<std::uint8_t>(bad, 10, 99);
  ExpectRefused(Resign(bad), "unknown element type 99");
  bad = good;
  Put<std::uint8_t>(bad, 11, 0);
  ExpectRefused(Resign(bad), "unknown layout 0");
  bad = good;
  Put<std::uint64_t>(bad, 16, std::numeric_limits<std::uint64_t>::max());
  ExpectRefused(Resign(bad), "does not match");  // rows x cols x 4 overflows
  bad = good;
  Put<std::uint64_t>(bad, 16, 1ull << 62);
  Put<std::uint64_t>(bad, 32, 0);
  ExpectRefused(Resign(bad), "does not match");
  bad = good;
  Put<std::uint64_t>(bad, 32, 1ull << 40);
  ExpectRefused(Resign(bad), "does not match");
  bad = good;
  Put<std::uint16_t>(bad, 12, 60000);
  ExpectRefused(Resign(bad), "name length");
  bad = good;
  Put<std::uint16_t>(bad, 14, 1);
  ExpectRefused(Resign(bad), "reserved");
  bad = good;
  bad[64] = '/';
  ExpectRefused(Resign(bad), "invalid name");
  bad = good;
  bad[100] = 'x';
  ExpectRefused(bad, "padding");
}

TEST(ArtefactTest, HostileRaggedOffsetsAreRefused) {
  const std::vector<std::uint64_t> offsets = {0, 1, 2};
  const std::vector<float> values = {1, 2};
  const std::string good(Artefact::Ragged<float>("r", offsets, values).Encoded());
  auto with_payload_crc = [](std::string bytes) {
    Put<std::uint32_t>(bytes, 40,
                       static_cast<std::uint32_t>(::crc32_z(
                           0, reinterpret_cast<const Bytef*>(bytes.data() + 128), bytes.size() - 128)));
    return Resign(bytes);
  };
  std::string bad = good;
  Put<std::uint64_t>(bad, 128 + 8, 1000);  // beyond the values
  ExpectRefused(with_payload_crc(bad), "out of order");
  bad = good;
  Put<std::uint64_t>(bad, 128, 1);  // first offset not 0
  ExpectRefused(with_payload_crc(bad), "out of order");
}

TEST(ArtefactTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(5);
  const std::string good(SampleMatrix().Encoded());
  for (int round = 0; round < 2000; ++round) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    bytes.resize(rng() % (bytes.size() + 32));
    try {
      Artefact::Decode(bytes, "fuzz");
    } catch (const ArtefactError&) {
    }
  }
}

}  // namespace
}  // namespace cinerec::modelstore
