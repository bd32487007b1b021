#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "collect/spool/wal.h"
#include "collect/spool/wal_test_support.h"

namespace cinerec::collect {
namespace {

using testing_support::Payloads;
using testing_support::ReadAll;
using testing_support::SegmentFiles;
using testing_support::SmallOptions;
using testing_support::TempSpoolDir;

const std::vector<std::string> kConsumers = {"clickhouse", "postgres", "redis"};

struct ConsumerResult {
  std::uint64_t records = 0;
  std::uint64_t out_of_order = 0;  // a seq not following the previous one, or a thread's records reordered
  std::uint64_t position = 0;
};

TEST(WalConcurrencyTest, EightAppendersAndThreeConsumersSeeEveryRecordOnceInOrder) {
  constexpr int kAppenders = 8;
  constexpr int kPerAppender = 1500;
  constexpr std::uint64_t kTotal = kAppenders * kPerAppender;
  TempSpoolDir dir;
  // Small segments: rolls and deletions happen all along, while readers read.
  Wal wal(SmallOptions(dir.path(), 32u << 10), kConsumers);

  std::atomic<bool> appenders_done{false};
  std::vector<ConsumerResult> results(kConsumers.size());
  std::vector<std::thread> consumers;
  for (std::size_t c = 0; c < kConsumers.size(); ++c) {
    consumers.emplace_back([&, c] {
      ConsumerResult& result = results[c];
      std::vector<int> last_of_appender(kAppenders, -1);
      result.position = wal.committed(kConsumers[c]);
      while (result.position < kTotal) {
        // The wait is an upper bound; it only runs out (ending the loop) if records are missing.
        auto batch = wal.Read(result.position, 100 + 50 * c, 16u << 10, std::chrono::seconds(30));
        if (batch.empty() && appenders_done) break;
        for (const auto& record : batch) {
          const int appender = record.data[0] - 'a';
          const int index = std::stoi(record.data.substr(1, record.data.find(':') - 1));
          if (record.seq != result.position + 1 || index != last_of_appender.at(appender) + 1)
            ++result.out_of_order;
          last_of_appender[appender] = index;
          result.position = record.seq;
          ++result.records;
        }
        if (!batch.empty()) wal.Commit(kConsumers[c], result.position);
      }
    });
  }
  std::vector<std::vector<std::uint64_t>> seqs(kAppenders);
  std::vector<std::thread> appenders;
  for (int a = 0; a < kAppenders; ++a) {
    appenders.emplace_back([&, a] {
      for (int i = 0; i < kPerAppender; ++i) {
        std::string record = std::string(1, static_cast<char>('a' + a)) + std::to_string(i) + ":";
        record.resize(100 + (i % 50), 'p');
        seqs[a].push_back(wal.Append(record));
      }
    });
  }
  for (auto& appender : appenders)
    appender.join();
  appenders_done = true;
  for (auto& consumer : consumers)
    consumer.join();

  std::vector<std::uint64_t> all;
  for (const auto& mine : seqs) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), kTotal);
  for (std::uint64_t i = 0; i < kTotal; ++i)
    ASSERT_EQ(all[i], i + 1);
  for (std::size_t c = 0; c < kConsumers.size(); ++c) {
    EXPECT_EQ(results[c].records, kTotal) << kConsumers[c];
    EXPECT_EQ(results[c].out_of_order, 0u) << kConsumers[c];
    EXPECT_EQ(wal.committed(kConsumers[c]), kTotal);
  }
  const auto stats = wal.stats();
  EXPECT_EQ(stats.last_seq, kTotal);
  EXPECT_LT(stats.syncs, kTotal);  // group commit: concurrent appends shared syncs
  EXPECT_EQ(stats.segments, 1u);   // every consumer passed all but the last
  EXPECT_EQ(SegmentFiles(dir.path()).size(), 1u);
}

// A write that fails halfway (here: the file size limit) acknowledges nothing, leaves no partial record,
// and the spool goes on with the same seq.
TEST(WalFailureTest, FailedWriteIsUndoneAndTheSeqReused) {
  TempSpoolDir dir;
  {
    Wal wal(SmallOptions(dir.path()), kConsumers);
    EXPECT_EQ(wal.Append(std::string(100, 'a')), 1u);  // 120 bytes
    auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    rlimit small = saved;
    small.rlim_cur = 200;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    EXPECT_THROW(wal.Append(std::string(1000, 'b')), std::system_error);
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, previous_handler);
    EXPECT_EQ(wal.stats().last_seq, 1u);
    EXPECT_EQ(std::filesystem::file_size(SegmentFiles(dir.path()).at(0)), 120u);
    EXPECT_EQ(wal.Append("c"), 2u);
  }
  Wal wal(SmallOptions(dir.path()), kConsumers);
  EXPECT_EQ(Payloads(ReadAll(wal)), (std::vector<std::string>{std::string(100, 'a'), "c"}));
}

}  // namespace
}  // namespace cinerec::collect
