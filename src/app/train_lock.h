#pragma once
// The trainer lock (training/trainer_lock.h) for the commands: taken, or nullptr after telling the user who
// holds it and what to do (the caller then exits with training::kLockedExitCode).
#include <memory>
#include <string>

#include "training/trainer_lock.h"

namespace cinerec {

struct Config;

std::unique_ptr<training::TrainerLock> LockTrainingOrExplain(const Config& config, const std::string& what);

}  // namespace cinerec
