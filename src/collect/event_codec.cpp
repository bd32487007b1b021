#include "collect/event_codec.h"

#include <cstring>

namespace cinerec::collect {
namespace {

constexpr std::uint8_t kFormatVersion = 1;

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  template <typename T>
  void Int(T value) {  // little-endian, whatever the host
    for (std::size_t i = 0; i < sizeof(T); ++i)
      out_.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xFF));
  }
  void Text(const std::string& text) {
    Int(static_cast<std::uint16_t>(text.size()));
    out_.append(text);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  T Int() {
    Need(sizeof(T));
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(value);
  }
  std::string Text() {
    const auto size = Int<std::uint16_t>();
    Need(size);
    std::string text(in_.substr(pos_, size));
    pos_ += size;
    return text;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  void Need(std::size_t bytes) const {
    if (in_.size() - pos_ < bytes) throw CorruptRecord("spool record truncated");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

int Hex(char c) {
  return c <= '9' ? c - '0' : c - 'a' + 10;
}

void WriteUuid(Writer& out, const std::string& uuid) {
  int nibbles = 0;
  unsigned byte = 0;
  for (char c : uuid) {
    if (c == '-') continue;
    byte = (byte << 4) | static_cast<unsigned>(Hex(c));
    if (++nibbles % 2 == 0) out.Int(static_cast<std::uint8_t>(byte)), byte = 0;
  }
}

std::string ReadUuid(Reader& in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string uuid;
  uuid.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    const auto byte = in.Int<std::uint8_t>();
    uuid.push_back(kDigits[byte >> 4]);
    uuid.push_back(kDigits[byte & 0xF]);
  }
  return uuid;
}

}  // namespace

std::string EncodeEvents(std::span<const Event> events) {
  std::string out;
  out.reserve(8 + events.size() * 96);
  Writer w(out);
  w.Int(kFormatVersion);
  w.Int(static_cast<std::uint32_t>(events.size()));
  for (const auto& e : events) {
    w.Int(static_cast<std::uint8_t>(e.type));
    WriteUuid(w, e.event_id);
    w.Int(e.event_time_ms);
    w.Int(e.received_ms);
    w.Int(e.user_id);
    w.Int(e.movie_id);
    w.Int(e.position_s);
    w.Int(e.seek_from_s);
    w.Int(e.seek_to_s);
    w.Int(e.watched_s);
    w.Int(e.results);
    w.Int(e.rank);
    for (const auto* text : {&e.session_id, &e.device, &e.target, &e.section, &e.request_id, &e.query})
      w.Text(*text);
  }
  return out;
}

void DecodeEvents(std::string_view record, std::vector<Event>& out) {
  Reader r(record);
  if (r.Int<std::uint8_t>() != kFormatVersion) throw CorruptRecord("unknown spool record version");
  const auto count = r.Int<std::uint32_t>();
  if (count > record.size()) throw CorruptRecord("spool record count exceeds its size");
  out.reserve(out.size() + count);
  for (std::uint32_t i = 0; i < count; ++i) {
    Event e;
    const auto type = r.Int<std::uint8_t>();
    if (type < 1 || type > kEventTypeCount) throw CorruptRecord("unknown event type in spool record");
    e.type = static_cast<EventType>(type);
    e.event_id = ReadUuid(r);
    e.event_time_ms = r.Int<std::int64_t>();
    e.received_ms = r.Int<std::int64_t>();
    e.user_id = r.Int<std::int64_t>();
    e.movie_id = r.Int<std::int64_t>();
    e.position_s = r.Int<std::uint32_t>();
    e.seek_from_s = r.Int<std::uint32_t>();
    e.seek_to_s = r.Int<std::uint32_t>();
    e.watched_s = r.Int<std::uint32_t>();
    e.results = r.Int<std::uint32_t>();
    e.rank = r.Int<std::uint16_t>();
    for (auto* text : {&e.session_id, &e.device, &e.target, &e.section, &e.request_id, &e.query})
      *text = r.Text();
    out.push_back(std::move(e));
  }
  if (!r.AtEnd()) throw CorruptRecord("spool record has trailing bytes");
}

}  // namespace cinerec::collect
