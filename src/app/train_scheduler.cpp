#include "app/train_scheduler.h"

#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstring>
#include <sstream>

#include "app/stores.h"
#include "common/config.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"
#include "training/pg_data_counts.h"
#include "training/retrain_policy.h"
#include "training/trainer_lock.h"

extern char** environ;  // POSIX

namespace cinerec {
namespace {

constexpr auto kChildPoll = std::chrono::milliseconds(200);
constexpr auto kFirstCheckDelay = std::chrono::seconds(10);
constexpr int kNoDataExitCode = 3;  // `cinerec train`: nothing to train on

std::vector<std::string> SplitArgs(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

// The parent's environment without CINEREC_* (PATH, locale, ...), then the serving configuration.
std::vector<std::string> ChildEnvironment(const Config& config) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "CINEREC_", 8) != 0) env.emplace_back(*e);
  for (const auto& [name, value] : config.ToEnvironment())
    env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

TrainScheduler::TrainScheduler(const Config& config, TrainScheduleArgs args)
    : config_(config), args_(std::move(args)) {
  if (args_.every.empty()) return;
  const auto every = training::ParseDuration(args_.every);
  spdlog::info("scheduled training: a check every {} s, retraining after {} new views and reactions",
               every.count(), args_.min_new);
  thread_ = std::thread([this, every] { Loop(every); });
}

TrainScheduler::~TrainScheduler() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TrainScheduler::Loop(std::chrono::seconds every) {
  std::unique_lock lock(mutex_);
  // The first check once the server is up (and after the allocator is configured for it), not during
  // start-up.
  wake_.wait_for(lock, std::min<std::chrono::seconds>(every, kFirstCheckDelay), [this] { return stop_; });
  while (!stop_) {
    lock.unlock();
    try {
      RunOnce();
    } catch (const std::exception& e) {
      spdlog::warn("scheduled training: check failed, next try in {} s: {}", every.count(), e.what());
    }
    lock.lock();
    wake_.wait_for(lock, every, [this] { return stop_; });
  }
}

TrainScheduler::Outcome TrainScheduler::RunOnce() {
  auto stores = Stores::Connect(config_);
  modelstore::ModelStore store(*stores.s3);
  std::optional<training::DataCounts> model;
  std::optional<std::string> since;
  if (const auto latest = store.Latest()) {
    const auto manifest = store.Show(*latest);
    model = training::CountsFromManifestData(manifest.data);
    if (const auto* s = manifest.data.if_contains("since"); s && s->is_string())
      since = std::string(s->as_string());
    if (!model) spdlog::warn("scheduled training: model {} records no data counts; retraining", *latest);
  }
  const auto now = training::CountTrainingRows(*stores.postgres, since);
  auto decision = training::DecideRetrain(model, now, args_.min_new);
  if (!decision.retrain) {
    spdlog::info("scheduled training: up to date: {}", decision.reason);
    return Outcome::kUpToDate;
  }
  spdlog::info("scheduled training: starting `cinerec train`: {}", decision.reason);
  const int code = RunTrainer();
  if (code == 0) {
    spdlog::info("scheduled training: done, new model published");
    return Outcome::kTrained;
  }
  if (code == training::kLockedExitCode) {
    spdlog::info("scheduled training: skipped, another trainer is running");
    return Outcome::kLocked;
  }
  if (code == kNoDataExitCode) {
    spdlog::info("scheduled training: nothing to train on after the minimum counts");
    return Outcome::kNoData;
  }
  spdlog::error("scheduled training: `cinerec train` failed (exit code {}); LATEST is unchanged", code);
  return Outcome::kFailed;
}

int TrainScheduler::RunTrainer() {
  std::vector<std::string> argv_strings = {args_.binary, "train"};
  for (auto& a : SplitArgs(args_.train_args))
    argv_strings.push_back(std::move(a));
  auto env_strings = ChildEnvironment(config_);
  auto argv = Pointers(argv_strings);
  auto envp = Pointers(env_strings);
  pid_t pid = 0;
  if (const int rc = ::posix_spawn(&pid, args_.binary.c_str(), nullptr, nullptr, argv.data(), envp.data());
      rc != 0)
    throw std::runtime_error("cannot start " + args_.binary + ": " + std::strerror(rc));

  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, kChildPoll, [this] { return stop_; })) {
      lock.unlock();
      spdlog::warn("scheduled training: stopping the running trainer (pid {})", pid);
      ::kill(pid, SIGTERM);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace cinerec
