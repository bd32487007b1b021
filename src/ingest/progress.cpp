#include "ingest/progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace cinerec::ingest {
namespace {

constexpr auto kTerminalInterval = std::chrono::milliseconds(200);
constexpr auto kLogInterval = std::chrono::seconds(5);

std::string Duration(double seconds) {
  auto s = static_cast<long>(seconds);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buffer;
}

}  // namespace

std::string Grouped(std::uint64_t value) {
  auto digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), terminal_(::isatty(STDERR_FILENO) == 1) {}

void Progress::Update(std::uint64_t done, std::uint64_t rows) {
  auto now = Clock::now();
  if (now - last_draw_ < (terminal_ ? std::chrono::duration_cast<Clock::duration>(kTerminalInterval)
                                    : std::chrono::duration_cast<Clock::duration>(kLogInterval)))
    return;
  if (!drawn_ && !terminal_ && now - start_ < kLogInterval) return;
  last_draw_ = now;
  Draw(done, rows);
}

void Progress::Draw(std::uint64_t done, std::uint64_t rows) {
  double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  double rate = elapsed > 0 ? rows / elapsed : 0;
  std::string line =
      label_ + ": " + Grouped(rows) + " rows, " + Grouped(static_cast<std::uint64_t>(rate)) + "/s";
  if (total_ > 0 && done > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    char percent[16];
    std::snprintf(percent, sizeof percent, " %5.1f%%", fraction * 100);
    line += percent;
    line += ", ETA " + Duration(elapsed / fraction - elapsed);
  }
  drawn_ = true;
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
  } else {
    spdlog::info("{}", line);
  }
}

double Progress::Finish() {
  if (terminal_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

}  // namespace cinerec::ingest
