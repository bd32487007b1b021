#pragma once
// `cinerec serve --train-every DURATION`: retrains in the background when enough new data arrived
// (training/retrain_policy.h). Every DURATION (and once at start) it compares the rows the trainer reads with
// the published model's manifest; when they grew by at least --train-min-new it runs `cinerec train` as a
// child process (its own memory and cores; the API process only waits), with the serving process's
// configuration and --train-args. The child takes the cluster-wide trainer lock itself, so with several
// nodes scheduling, one trains and the others' children exit with training::kLockedExitCode (logged,
// skipped).
//
// The checks and the child's output go to the log; a failure never affects serving. Destruction stops the
// thread and sends SIGTERM to a running trainer: it stops before publishing, or after, never half-way
// (LATEST moves in one PUT), and the lock goes with its connection.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cinerec {

struct Config;

struct TrainScheduleArgs {
  std::string every;                      // "" = no scheduled training; else training::ParseDuration's format
  std::int64_t min_new = 10000;           // new views + reactions that trigger a retraining
  std::string train_args;                 // extra arguments for `cinerec train`, separated by spaces
  std::string binary = "/proc/self/exe";  // the cinerec binary (tests point it elsewhere)
};

class TrainScheduler {
 public:
  enum class Outcome { kUpToDate, kTrained, kLocked, kNoData, kFailed };

  // Throws std::invalid_argument on a bad duration. Starts the thread only when args.every is set.
  TrainScheduler(const Config& config, TrainScheduleArgs args);
  ~TrainScheduler();
  TrainScheduler(const TrainScheduler&) = delete;
  TrainScheduler& operator=(const TrainScheduler&) = delete;

  // One check and, when due, one training run (blocking). For the thread and for tests.
  Outcome RunOnce();

 private:
  void Loop(std::chrono::seconds every);
  int RunTrainer();

  const Config& config_;
  TrainScheduleArgs args_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cinerec
