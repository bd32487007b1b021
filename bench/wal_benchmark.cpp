// The collection spool (collect/spool/wal.h): acknowledged appends per second with real fdatasync, by record
// size and number of concurrent callers (group commit should make throughput grow with callers), and the
// records per second a consumer reads back. The spool lives under the system's temporary directory, which
// must be on the disk the service would use for the figures to mean anything.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "collect/spool/wal.h"

namespace {

using cinerec::collect::Wal;
using cinerec::collect::WalOptions;

const std::vector<std::string> kConsumers = {"clickhouse", "postgres", "redis"};

std::filesystem::path BenchDir(const char* name) {
  return std::filesystem::temp_directory_path()
         / (std::string("cinerec_wal_bench_") + name + "_" + std::to_string(::getpid()));
}

WalOptions Options(const std::filesystem::path& dir, bool sync) {
  WalOptions options;
  options.dir = dir;
  options.max_bytes = 1ull << 40;  // measure appends, not capacity
  options.sync = sync;
  return options;
}

std::unique_ptr<Wal> shared_wal;  // one spool for all threads of a run: made by thread 0 before the loop

// Arguments: record bytes, sync (0/1).
void BM_WalAppend(benchmark::State& state) {
  const auto dir = BenchDir("append");
  if (state.thread_index() == 0) {
    std::filesystem::remove_all(dir);
    shared_wal = std::make_unique<Wal>(Options(dir, state.range(1) != 0), kConsumers);
  }
  const std::string record(static_cast<std::size_t>(state.range(0)), 'e');
  for (auto _ : state)  // the loop starts when every thread is here, and ends when every thread is done
    benchmark::DoNotOptimize(shared_wal->Append(record));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
  if (state.thread_index() == 0) {
    const auto stats = shared_wal->stats();
    if (stats.syncs > 0)
      state.counters["records_per_sync"] = static_cast<double>(stats.appended_records) / stats.syncs;
    shared_wal.reset();
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_WalAppend)
    ->ArgNames({"bytes", "sync"})
    ->Args({256, 1})
    ->Args({4096, 1})
    ->Args({65536, 1})
    ->Args({4096, 0})
    ->Threads(1)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime();

// A consumer's loop: batches of up to 1000 records (256 bytes each) from a spool of 200,000.
void BM_WalRead(benchmark::State& state) {
  constexpr std::uint64_t kRecords = 200000;
  const auto dir = BenchDir("read");
  std::filesystem::remove_all(dir);
  Wal wal(Options(dir, false), kConsumers);
  const std::string record(256, 'e');
  for (std::uint64_t i = 0; i < kRecords; ++i)
    wal.Append(record);
  std::uint64_t after = 0;
  std::int64_t records = 0;
  for (auto _ : state) {
    auto batch = wal.Read(after, 1000, 1u << 20, std::chrono::milliseconds(0));
    records += static_cast<std::int64_t>(batch.size());
    after = batch.back().seq == kRecords ? 0 : batch.back().seq;
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * 256);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WalRead)->Unit(benchmark::kMicrosecond);

}  // namespace
