#pragma once
// A viewer event after validation: the one shape every part of the collection pipeline shares (the spool
// stores it, the ClickHouse / PostgreSQL / Redis sinks read it). The wire format (JSON, docs/events.md) is
// parsed into this by event_parser.h; fields a type does not use stay zero / empty, which is also how
// ClickHouse stores "none".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cinerec::collect {

// Values are stable: they are written to the on-disk spool.
enum class EventType : std::uint8_t {
  kViewStart = 1,
  kViewProgress = 2,
  kViewPause = 3,
  kViewSeek = 4,
  kViewStop = 5,
  kLike = 6,
  kDislike = 7,
  kReactionClear = 8,
  kClick = 9,
  kTrailerPlay = 10,
  kSearch = 11,
  kPageView = 12,
};
inline constexpr int kEventTypeCount = 12;

// The wire name ("view_start", ...), which is also the ClickHouse enum value name.
std::string_view EventTypeName(EventType type);
std::optional<EventType> EventTypeFromName(std::string_view name);

// The detailed watch log (ClickHouse watch_events; PostgreSQL views).
inline bool IsWatchEvent(EventType type) {
  return type >= EventType::kViewStart && type <= EventType::kViewStop;
}
// like / dislike / reaction_clear (PostgreSQL reactions).
inline bool IsReactionEvent(EventType type) {
  return type >= EventType::kLike && type <= EventType::kReactionClear;
}

struct Event {
  std::string event_id;  // canonical lower-case UUID text, 36 characters
  EventType type = EventType::kPageView;
  std::int64_t event_time_ms = 0;  // the client's timestamp, Unix milliseconds UTC
  std::int64_t received_ms = 0;    // server time at acceptance, Unix milliseconds UTC
  std::int64_t user_id = 0;
  std::int64_t movie_id = 0;  // 0 = none
  std::string session_id;     // watch events: the playback session (PostgreSQL views.session_key)
  std::string device;
  // Watch events (seconds).
  std::uint32_t position_s = 0;  // view_progress / view_pause / view_stop
  std::uint32_t seek_from_s = 0;
  std::uint32_t seek_to_s = 0;
  std::uint32_t watched_s = 0;  // view_stop: seconds actually watched in the session
  // UI events.
  std::string target;      // click: what was clicked ("play", "poster", "trailer", ...)
  std::string section;     // click / trailer_play / page_view: the screen or row it happened on
  std::string request_id;  // click / trailer_play: the recommendation response it came from
  std::uint16_t rank = 0;  // 1-based position in that response; 0 = none
  std::string query;       // search
  std::uint32_t results = 0;

  bool operator==(const Event&) const = default;
};

}  // namespace cinerec::collect
