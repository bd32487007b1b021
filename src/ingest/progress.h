#pragma once
// Progress of a long import or generation on stderr: on a terminal, one line redrawn in place (rows, rate,
// percent and ETA when the total is known); otherwise a log line every few seconds, so logs stay readable.
// Not thread-safe: the thread doing the work calls Update.
#include <chrono>
#include <cstdint>
#include <string>

namespace cinerec::ingest {

class Progress {
 public:
  // total: units of work expected (bytes of the ratings file, interactions to generate); 0 = unknown.
  Progress(std::string label, std::uint64_t total);
  // done: units finished so far (same scale as total); rows: records written so far (shown with a rate).
  void Update(std::uint64_t done, std::uint64_t rows);
  // Clears the terminal line; returns the seconds since construction.
  double Finish();

 private:
  using Clock = std::chrono::steady_clock;
  void Draw(std::uint64_t done, std::uint64_t rows);

  std::string label_;
  std::uint64_t total_;
  bool terminal_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  bool drawn_ = false;
};

// 1234567 -> "1,234,567".
std::string Grouped(std::uint64_t value);

}  // namespace cinerec::ingest
