#include "recommend/experiments.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "common/errors.h"
#include "modelstore/manifest.h"

namespace cinerec::recommend {
namespace {

[[noreturn]] void Invalid(const std::string& reason) {
  throw ConfigError("invalid config recommend.variants: " + reason);
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(separator, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  return text;
}

// splitmix64's finaliser: spreads consecutive user ids evenly over the shares.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<Variant> ParseVariants(std::string_view text) {
  std::vector<Variant> variants;
  std::set<std::string> names;
  for (auto item : Split(text, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    const auto parts = Split(item, ':');
    if (parts.size() < 3 || parts.size() > 4)
      Invalid(fmt::format("'{}' must be name:share:model[:rules]", item));
    Variant v;
    v.name = std::string(parts[0]);
    if (v.name.empty() || v.name.size() > 32 || !std::all_of(v.name.begin(), v.name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        }))
      Invalid(fmt::format("variant name '{}' must be 1-32 letters, digits, '_' or '-'", v.name));
    if (!names.insert(v.name).second) Invalid(fmt::format("variant '{}' is named twice", v.name));
    const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), v.share);
    if (ec != std::errc() || end != parts[1].data() + parts[1].size() || v.share == 0 || v.share > 1000000)
      Invalid(fmt::format("variant '{}': share must be an integer from 1 to 1000000", v.name));
    v.model = std::string(parts[2]);
    if (v.model != kLatest && !modelstore::IsValidVersionId(v.model))
      Invalid(
          fmt::format("variant '{}': model must be LATEST or a model version, got '{}'", v.name, v.model));
    if (parts.size() == 4) {
      if (parts[3] == "diverse")
        v.diversify = true;
      else if (parts[3] == "plain")
        v.diversify = false;
      else
        Invalid(fmt::format("variant '{}': rules must be diverse or plain", v.name));
    }
    variants.push_back(std::move(v));
  }
  if (variants.empty()) Invalid("name at least one variant");
  return variants;
}

Experiments::Experiments(std::vector<Variant> variants) : variants_(std::move(variants)) {
  for (const auto& v : variants_)
    total_ += v.share;
}

const Variant& Experiments::Assign(std::int64_t user_id) const {
  std::uint64_t point = Mix(static_cast<std::uint64_t>(user_id)) % total_;
  for (const auto& v : variants_) {
    if (point < v.share) return v;
    point -= v.share;
  }
  return variants_.back();
}

std::vector<std::string> Experiments::PinnedVersions() const {
  std::set<std::string> versions;
  for (const auto& v : variants_)
    if (v.model != kLatest) versions.insert(v.model);
  return {versions.begin(), versions.end()};
}

}  // namespace cinerec::recommend
