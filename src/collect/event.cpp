#include "collect/event.h"

#include <array>

namespace cinerec::collect {
namespace {

constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "view_start", "view_progress",  "view_pause", "view_seek",    "view_stop", "like",
    "dislike",    "reaction_clear", "click",      "trailer_play", "search",    "page_view",
};

}  // namespace

std::string_view EventTypeName(EventType type) {
  const auto index = static_cast<std::size_t>(type) - 1;
  return index < kNames.size() ? kNames[index] : std::string_view("unknown");
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<EventType>(i + 1);
  return std::nullopt;
}

}  // namespace cinerec::collect
