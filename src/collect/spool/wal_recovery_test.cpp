#include "collect/spool/wal_recovery.h"

#include <gtest/gtest.h>

#include "collect/spool/wal.h"
#include "collect/spool/wal_test_support.h"

namespace cinerec::collect {
namespace {

using testing_support::FlipByte;
using testing_support::Payloads;
using testing_support::ReadAll;
using testing_support::SegmentFiles;
using testing_support::SmallOptions;
using testing_support::TempSpoolDir;

const std::vector<std::string> kConsumers = {"clickhouse", "postgres", "redis"};

// Three records in one segment; returns the segment file.
std::filesystem::path WriteThree(const std::filesystem::path& dir) {
  Wal wal(SmallOptions(dir), kConsumers);
  wal.Append("one");
  wal.Append("two");
  wal.Append("three");
  return SegmentFiles(dir).at(0);
}

void ExpectTailCutAndAppendsContinue(const std::filesystem::path& dir) {
  {
    Wal wal(SmallOptions(dir), kConsumers);
    EXPECT_EQ(wal.stats().last_seq, 2u);
    EXPECT_EQ(Payloads(ReadAll(wal)), (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(wal.Append("four"), 3u);  // the cut record was never acknowledged: its seq is free
  }
  Wal wal(SmallOptions(dir), kConsumers);
  EXPECT_EQ(Payloads(ReadAll(wal)), (std::vector<std::string>{"one", "two", "four"}));
}

TEST(WalRecoveryTest, RecordCutShortAtTheEndIsRemoved) {
  TempSpoolDir dir;
  const auto file = WriteThree(dir.path());
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 2);
  ExpectTailCutAndAppendsContinue(dir.path());
}

TEST(WalRecoveryTest, HeaderCutShortAtTheEndIsRemoved) {
  TempSpoolDir dir;
  const auto file = WriteThree(dir.path());
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 5 - 10);  // "three" and half a header
  ExpectTailCutAndAppendsContinue(dir.path());
}

TEST(WalRecoveryTest, LastRecordFailingItsChecksumIsRemoved) {
  TempSpoolDir dir;
  const auto file = WriteThree(dir.path());
  FlipByte(file, std::filesystem::file_size(file) - 1);
  ExpectTailCutAndAppendsContinue(dir.path());
}

TEST(WalRecoveryTest, ZeroesAfterTheLastRecordAreRemoved) {
  TempSpoolDir dir;
  const auto file = WriteThree(dir.path());
  const auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, size + 4096);  // blocks allocated by a write that never landed
  {
    Wal wal(SmallOptions(dir.path()), kConsumers);
    EXPECT_EQ(wal.stats().last_seq, 3u);
  }
  EXPECT_EQ(std::filesystem::file_size(file), size);
}

TEST(WalRecoveryTest, DamageBeforeTheLastSegmentIsRefusedWithThePath) {
  TempSpoolDir dir;
  {
    Wal wal(SmallOptions(dir.path(), 100), kConsumers);
    for (int i = 0; i < 4; ++i)
      wal.Append(std::string(100, 'x'));
  }
  const auto files = SegmentFiles(dir.path());
  ASSERT_EQ(files.size(), 4u);
  FlipByte(files[1], 30);
  try {
    Wal wal(SmallOptions(dir.path(), 100), kConsumers);
    FAIL() << "opened a spool with a damaged segment";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(files[1].string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("damaged at offset 0"), std::string::npos) << e.what();
  }
}

TEST(WalRecoveryTest, MissingSegmentIsRefused) {
  TempSpoolDir dir;
  {
    Wal wal(SmallOptions(dir.path(), 100), kConsumers);
    for (int i = 0; i < 3; ++i)
      wal.Append(std::string(100, 'x'));
  }
  std::filesystem::remove(SegmentFiles(dir.path()).at(1));
  EXPECT_THROW(Wal(SmallOptions(dir.path(), 100), kConsumers), std::runtime_error);
}

TEST(WalRecoveryTest, CursorsSurviveTheLossOfEverySegment) {
  TempSpoolDir dir;
  {
    Wal wal(SmallOptions(dir.path()), kConsumers);
    for (int i = 0; i < 3; ++i)
      wal.Append("x");
    for (const auto& consumer : kConsumers)
      wal.Commit(consumer, 3);
  }
  for (const auto& file : SegmentFiles(dir.path()))
    std::filesystem::remove(file);
  Wal wal(SmallOptions(dir.path()), kConsumers);
  EXPECT_EQ(wal.Append("after"), 4u);  // seq 1 would be taken for delivered by every consumer
}

TEST(WalRecoveryTest, DamagedCursorIsRefusedWithThePath) {
  TempSpoolDir dir;
  { Wal wal(SmallOptions(dir.path()), kConsumers); }
  std::ofstream(dir.path() / "redis.cursor") << "12x\n";
  try {
    Wal wal(SmallOptions(dir.path()), kConsumers);
    FAIL() << "opened a spool with a damaged cursor";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "redis.cursor").string()), std::string::npos);
  }
}

}  // namespace
}  // namespace cinerec::collect
