#include "app/train_lock.h"

#include <iostream>

#include "common/config.h"

namespace cinerec {

std::unique_ptr<training::TrainerLock> LockTrainingOrExplain(const Config& config, const std::string& what) {
  std::string holder;
  auto lock = training::TrainerLock::TryAcquire(config.postgres, what, &holder);
  if (!lock) {
    std::cerr << what << ": another trainer holds the training lock: " << holder
              << ".\nOnly one process may train or change the published model at a time (docs/training.md, "
                 "\"Scheduling\"); wait for it to finish and try again.\n";
  }
  return lock;
}

}  // namespace cinerec
