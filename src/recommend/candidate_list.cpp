#include "recommend/candidate_list.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace cinerec::recommend {
namespace {

constexpr std::array<std::string_view, 7> kSources = {"personal", "fold_in", "content", "cold_start",
                                                      "trending", "similar", "popular"};
constexpr std::array<std::string_view, 7> kReasons = {
    "because_you_watched", "popular_in_genre", "new_in_your_genres", "matches_your_genres", "trending_now",
    "similar_to",          "for_you"};

[[noreturn]] void Bad(std::string_view what) {
  throw std::invalid_argument("cached recommendation list: " + std::string(what));
}

// Percent-encodes the bytes that would break the line format (space, newline, '%') and an empty string.
std::string EncodeAnchor(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '%' || c == '\t' || (c == '-' && text.size() == 1))
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out;
}

std::string DecodeAnchor(std::string_view text) {
  if (text == "-") return {};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) Bad("truncated escape");
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) Bad("bad escape");
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

// Splits on single spaces.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto space = line.find(' ', start);
    out.push_back(
        line.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return out;
}

template <typename T>
T Number(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) Bad("bad number");
  return value;
}

void RequireToken(std::string_view text, std::string_view what) {
  if (text.empty() || text.find_first_of(" \n\r\t") != std::string_view::npos)
    throw std::invalid_argument(fmt::format("{} '{}' must be a non-empty token without spaces", what, text));
}

}  // namespace

std::string_view ToString(Source source) {
  return kSources.at(static_cast<std::size_t>(source));
}

Source SourceFromString(std::string_view text) {
  for (std::size_t i = 0; i < kSources.size(); ++i)
    if (kSources[i] == text) return static_cast<Source>(i);
  Bad("unknown source");
}

std::string_view ToString(Reason reason) {
  return kReasons.at(static_cast<std::size_t>(reason));
}

Reason ReasonFromString(std::string_view text) {
  for (std::size_t i = 0; i < kReasons.size(); ++i)
    if (kReasons[i] == text) return static_cast<Reason>(i);
  Bad("unknown reason");
}

std::uint16_t CandidateList::Anchor(std::string_view text) {
  if (text.empty()) return 0;
  // A linear search: a list names a few dozen anchors at most (genres, recent watches).
  for (std::size_t i = anchors.size(); i-- > 1;)
    if (anchors[i] == text) return static_cast<std::uint16_t>(i);
  if (anchors.size() > std::numeric_limits<std::uint16_t>::max()) return 0;
  anchors.emplace_back(text);
  return static_cast<std::uint16_t>(anchors.size() - 1);
}

std::string Encode(const CandidateList& list) {
  const std::string version = list.model_version.empty() ? "-" : list.model_version;
  RequireToken(version, "model version");
  RequireToken(list.variant, "variant");
  std::string out = fmt::format("cr1 {} {} {} {} {} {}\n", version, list.variant, ToString(list.source),
                                list.created_ms, list.epoch, list.items.size());
  for (const auto& item : list.items)
    fmt::format_to(std::back_inserter(out), "{} {} {} {} {}\n", item.movie_id, item.score,
                   ToString(item.source), ToString(item.reason), EncodeAnchor(list.AnchorOf(item)));
  return out;
}

CandidateList Decode(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto newline = text.find('\n', start);
    if (newline == std::string_view::npos) Bad("unterminated line");
    lines.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  if (lines.empty()) Bad("empty");
  const auto header = Fields(lines[0]);
  if (header.size() != 7 || header[0] != "cr1") Bad("unknown header");
  CandidateList list;
  list.model_version = header[1] == "-" ? "" : std::string(header[1]);
  list.variant = std::string(header[2]);
  list.source = SourceFromString(header[3]);
  list.created_ms = Number<std::int64_t>(header[4]);
  list.epoch = Number<std::int64_t>(header[5]);
  const auto count = Number<std::size_t>(header[6]);
  if (count != lines.size() - 1) Bad("item count does not match");
  list.items.reserve(count);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto fields = Fields(lines[i]);
    if (fields.size() != 5) Bad("bad item line");
    Candidate item;
    item.movie_id = Number<std::int64_t>(fields[0]);
    item.score = Number<float>(fields[1]);
    item.source = SourceFromString(fields[2]);
    item.reason = ReasonFromString(fields[3]);
    item.anchor = list.Anchor(DecodeAnchor(fields[4]));
    list.items.push_back(item);
  }
  return list;
}

}  // namespace cinerec::recommend
