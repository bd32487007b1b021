#include "collect/spool/wal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "collect/spool/wal_test_support.h"

namespace cinerec::collect {
namespace {

using testing_support::Payloads;
using testing_support::ReadAll;
using testing_support::SegmentFiles;
using testing_support::SmallOptions;
using testing_support::TempSpoolDir;

constexpr std::chrono::milliseconds kNoWait{0};
// Only an upper bound: in every test something wakes the reader long before.
constexpr std::chrono::milliseconds kLongWait{std::chrono::minutes(5)};

const std::vector<std::string> kConsumers = {"clickhouse", "postgres", "redis"};

TEST(WalTest, AppendsGetConsecutiveSeqsAndReadReturnsThemInOrder) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), kConsumers);
  EXPECT_EQ(wal.Append("one"), 1u);
  EXPECT_EQ(wal.Append(""), 2u);
  EXPECT_EQ(wal.Append("three"), 3u);
  auto records = wal.Read(0, 10, 1u << 20, kNoWait);
  ASSERT_EQ(records.size(), 3u);
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(records[i].seq, i + 1);
  EXPECT_EQ(Payloads(records), (std::vector<std::string>{"one", "", "three"}));
  EXPECT_EQ(Payloads(wal.Read(1, 10, 1u << 20, kNoWait)), (std::vector<std::string>{"", "three"}));
  EXPECT_TRUE(wal.Read(3, 10, 1u << 20, kNoWait).empty());
}

TEST(WalTest, ReadStopsAtMaxRecordsAndMaxBytesButReturnsAtLeastOneRecord) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), kConsumers);
  for (int i = 0; i < 10; ++i)
    wal.Append(std::string(100, static_cast<char>('a' + i)));
  EXPECT_EQ(wal.Read(0, 4, 1u << 20, kNoWait).size(), 4u);
  EXPECT_EQ(wal.Read(0, 100, 250, kNoWait).size(), 2u);
  auto one = wal.Read(5, 100, 10, kNoWait);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].seq, 6u);
  EXPECT_EQ(one[0].data, std::string(100, 'f'));
}

TEST(WalTest, RecordsOfEverySizeRoundTrip) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path(), 256u << 10), kConsumers);
  std::vector<std::string> written;
  for (std::size_t size : {0u, 1u, 19u, 20u, 4095u, 65536u, 300000u, 2u << 20, 7u}) {
    std::string record(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
      record[i] = static_cast<char>(i * 31 + size);
    written.push_back(record);
    wal.Append(record);
  }
  EXPECT_EQ(Payloads(ReadAll(wal, 0, 3)), written);
  EXPECT_THROW(wal.Append(std::string((64u << 20) + 1, 'x')), std::invalid_argument);
}

TEST(WalTest, ReadFindsAnyPositionInLargeSegmentsBeforeAndAfterReopening) {
  TempSpoolDir dir;
  auto options = SmallOptions(dir.path(), 8u << 20);
  options.sync = false;
  auto record = [](int i) { return std::to_string(i) + std::string(500, 'r'); };
  {
    Wal wal(options, kConsumers);
    for (int i = 1; i <= 30000; ++i)
      wal.Append(record(i));
    for (std::uint64_t after : {0u, 1u, 9999u, 15000u, 29999u}) {
      auto records = wal.Read(after, 2, 1u << 20, kNoWait);
      ASSERT_FALSE(records.empty());
      EXPECT_EQ(records[0].seq, after + 1);
      EXPECT_EQ(records[0].data, record(static_cast<int>(after + 1)));
    }
  }
  Wal wal(options, kConsumers);
  EXPECT_EQ(SegmentFiles(dir.path()).size(), 2u);
  for (std::uint64_t after : {29999u, 20000u, 16700u, 3u}) {
    auto records = wal.Read(after, 1, 1u << 20, kNoWait);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].seq, after + 1);
    EXPECT_EQ(records[0].data, record(static_cast<int>(after + 1)));
  }
  EXPECT_EQ(ReadAll(wal, 0, 777).size(), 30000u);
}

TEST(WalTest, ReopenKeepsRecordsSeqsAndCursors) {
  TempSpoolDir dir;
  {
    Wal wal(SmallOptions(dir.path()), kConsumers);
    for (int i = 1; i <= 5; ++i)
      wal.Append("r" + std::to_string(i));
    wal.Commit("postgres", 3);
  }
  Wal wal(SmallOptions(dir.path()), kConsumers);
  EXPECT_EQ(wal.committed("postgres"), 3u);
  EXPECT_EQ(wal.committed("clickhouse"), 0u);
  EXPECT_EQ(wal.stats().last_seq, 5u);
  EXPECT_EQ(wal.Append("r6"), 6u);
  EXPECT_EQ(Payloads(wal.Read(3, 10, 1u << 20, kNoWait)), (std::vector<std::string>{"r4", "r5", "r6"}));
}

TEST(WalTest, CommitIsMonotonicAndChecked) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), kConsumers);
  wal.Append("a");
  wal.Append("b");
  wal.Commit("redis", 2);
  wal.Commit("redis", 1);
  EXPECT_EQ(wal.committed("redis"), 2u);
  EXPECT_THROW(wal.Commit("redis", 3), std::invalid_argument);
  EXPECT_THROW(wal.Commit("s3", 1), std::invalid_argument);
  EXPECT_THROW(wal.committed("s3"), std::invalid_argument);
  std::ifstream cursor(dir.path() / "redis.cursor");
  std::string text((std::istreambuf_iterator<char>(cursor)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "2\n");
}

TEST(WalTest, SegmentsRollAndAreDeletedOnlyOnceEveryConsumerHasCommittedThem) {
  TempSpoolDir dir;
  // 100-byte records take 120 bytes: two per 200-byte segment.
  Wal wal(SmallOptions(dir.path(), 200), {"a", "b"});
  for (int i = 1; i <= 6; ++i)
    wal.Append(std::string(100, static_cast<char>('0' + i)));
  EXPECT_EQ(SegmentFiles(dir.path()).size(), 3u);
  EXPECT_EQ(SegmentFiles(dir.path())[0].filename(), "00000000000000000001.wal");
  EXPECT_EQ(SegmentFiles(dir.path())[1].filename(), "00000000000000000003.wal");
  wal.Commit("a", 6);
  EXPECT_EQ(SegmentFiles(dir.path()).size(), 3u);
  wal.Commit("b", 3);  // inside the second segment: only the first is passed
  EXPECT_EQ(SegmentFiles(dir.path()).size(), 2u);
  wal.Commit("b", 6);
  ASSERT_EQ(SegmentFiles(dir.path()).size(), 1u);  // the last segment stays: it is written to
  EXPECT_EQ(SegmentFiles(dir.path())[0].filename(), "00000000000000000005.wal");
  EXPECT_EQ(wal.stats().segments, 1u);
  // Deleted records are skipped by a Read from before them.
  auto records = wal.Read(0, 10, 1u << 20, kNoWait);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].seq, 5u);
  EXPECT_EQ(wal.Append("7"), 7u);
}

TEST(WalTest, FullAtCapacityUntilConsumersCommit) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path(), 240, 500), {"a"});
  const std::string record(100, 'x');  // 120 bytes on disk
  for (int i = 1; i <= 5; ++i)
    wal.Append(record);  // the fifth starts at 480 bytes, still below capacity
  EXPECT_EQ(wal.stats().bytes, 600u);
  EXPECT_THROW(wal.Append(record), WalFull);
  EXPECT_EQ(wal.stats().last_seq, 5u);
  wal.Commit("a", 4);  // frees the segments [1, 2] and [3, 4]
  EXPECT_EQ(wal.stats().bytes, 120u);
  EXPECT_EQ(wal.Append(record), 6u);
}

TEST(WalTest, NewConsumerStartsAtTheEndAndUnlistedCursorsAreIgnored) {
  TempSpoolDir dir;
  const auto options = SmallOptions(dir.path(), 200);
  {
    Wal wal(options, {"a"});
    for (int i = 0; i < 5; ++i)
      wal.Append(std::string(100, 'x'));
  }
  {
    Wal wal(options, {"a", "b"});
    EXPECT_EQ(wal.committed("a"), 0u);
    EXPECT_EQ(wal.committed("b"), 5u);
    EXPECT_TRUE(wal.Read(wal.committed("b"), 10, 1u << 20, kNoWait).empty());
  }
  {
    Wal wal(options, {"b"});  // a's cursor (0) no longer holds the segments back
    wal.Append(std::string(100, 'y'));
    wal.Commit("b", 6);
    EXPECT_EQ(SegmentFiles(dir.path()).size(), 1u);
  }
  // a comes back: what it missed is gone, so it resumes after it.
  Wal wal(options, {"a", "b"});
  EXPECT_EQ(wal.committed("a"), 4u);
  EXPECT_EQ(wal.stats().lag_records.at("a"), 2u);
}

TEST(WalTest, StatsCountAppendsSyncsAndLag) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), {"a", "b"});
  for (int i = 0; i < 3; ++i)
    wal.Append("0123456789");
  wal.Commit("a", 2);
  auto stats = wal.stats();
  EXPECT_EQ(stats.appended_records, 3u);
  EXPECT_EQ(stats.appended_bytes, 30u);
  EXPECT_EQ(stats.syncs, 3u);  // one caller at a time: one sync each
  EXPECT_EQ(stats.bytes, 90u);
  EXPECT_EQ(stats.segments, 1u);
  EXPECT_EQ(stats.last_seq, 3u);
  EXPECT_EQ(stats.lag_records, (std::map<std::string, std::uint64_t>{{"a", 1}, {"b", 3}}));
}

TEST(WalTest, ReadWaitsForTheNextAppend) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), kConsumers);
  std::vector<WalRecord> got;
  std::thread reader([&] { got = wal.Read(0, 10, 1u << 20, kLongWait); });
  wal.Append("late");
  reader.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "late");
  EXPECT_TRUE(wal.Read(1, 10, 1u << 20, std::chrono::milliseconds(1)).empty());
}

TEST(WalTest, CloseUnblocksWaitingReaders) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), kConsumers);
  std::vector<std::thread> readers;
  std::atomic<int> empty_results{0};
  for (int i = 0; i < 3; ++i)
    readers.emplace_back([&] { empty_results += wal.Read(0, 10, 1u << 20, kLongWait).empty() ? 1 : 0; });
  wal.Close();
  for (auto& reader : readers)
    reader.join();
  EXPECT_EQ(empty_results, 3);
  EXPECT_EQ(wal.Append("still works"), 1u);
  EXPECT_EQ(wal.Read(0, 10, 1u << 20, kLongWait).size(), 1u);
}

TEST(WalTest, DirectoryThatCannotBeCreatedIsReportedWithItsPath) {
  TempSpoolDir dir;
  std::filesystem::create_directories(dir.path());
  const auto file = dir.path() / "not-a-directory";
  std::ofstream(file) << "x";
  try {
    Wal wal(SmallOptions(file / "spool"), kConsumers);
    FAIL() << "opened a spool under a regular file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((file / "spool").string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot be created"), std::string::npos) << e.what();
  }
}

TEST(WalTest, ReadOnlyDirectoryIsReportedWithItsPath) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories: permissions not testable";
  TempSpoolDir dir;
  const auto read_only = dir.path() / "read-only";
  std::filesystem::create_directories(read_only);
  ::chmod(read_only.c_str(), 0555);
  try {
    Wal wal(SmallOptions(read_only), kConsumers);
    FAIL() << "opened a spool in a read-only directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(read_only.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("write access"), std::string::npos) << e.what();
  }
  ::chmod(read_only.c_str(), 0755);
}

TEST(WalTest, ASecondOpenOfTheSameDirectoryIsRefused) {
  TempSpoolDir dir;
  Wal wal(SmallOptions(dir.path()), kConsumers);
  EXPECT_THROW(Wal(SmallOptions(dir.path()), kConsumers), std::runtime_error);
}

TEST(WalTest, InvalidConsumersAndOptionsAreRejected) {
  TempSpoolDir dir;
  EXPECT_THROW(Wal(SmallOptions(dir.path()), {}), std::invalid_argument);
  EXPECT_THROW(Wal(SmallOptions(dir.path()), {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(Wal(SmallOptions(dir.path()), {"../etc"}), std::invalid_argument);
  EXPECT_THROW(Wal(SmallOptions(dir.path(), 0), {"a"}), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::collect
