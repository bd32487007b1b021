#include "training/retrain_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace cinerec::training {

RetrainDecision DecideRetrain(const std::optional<DataCounts>& model, const DataCounts& now,
                              std::int64_t min_new) {
  RetrainDecision d;
  if (!model) {
    d.new_rows = now.total();
    d.retrain = now.total() > 0;
    d.reason = d.retrain ? fmt::format("no published model yet and {} rows to train on", now.total())
                         : "no published model and no data yet";
    return d;
  }
  d.new_rows = std::max<std::int64_t>(0, now.total() - model->total());
  d.retrain = d.new_rows >= std::max<std::int64_t>(1, min_new);
  d.reason = fmt::format("{} new views and reactions since the published model ({} -> {}; threshold {})",
                         d.new_rows, model->total(), now.total(), min_new);
  return d;
}

std::optional<DataCounts> CountsFromManifestData(const boost::json::object& data) {
  const auto* views = data.if_contains("views");
  const auto* reactions = data.if_contains("reactions");
  if (!views || !reactions || !views->is_int64() || !reactions->is_int64()) return std::nullopt;
  return DataCounts{views->as_int64(), reactions->as_int64()};
}

std::chrono::seconds ParseDuration(std::string_view text) {
  auto invalid = [&] {
    return std::invalid_argument(fmt::format(
        "invalid duration '{}': expected a positive number of seconds or a number followed by s, m, h or d "
        "(e.g. 30m, 6h, 1d)",
        text));
  };
  if (text.empty()) throw invalid();
  std::int64_t unit = 1;
  std::string_view digits = text;
  switch (text.back()) {
    case 's':
      unit = 1;
      digits.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      digits.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      digits.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      digits.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value <= 0
      || value > std::numeric_limits<std::int64_t>::max() / unit / 1000)
    throw invalid();
  return std::chrono::seconds(value * unit);
}

}  // namespace cinerec::training
