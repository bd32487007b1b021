#include "collect/event_parser.h"

#include <gtest/gtest.h>

#include "collect/event_codec.h"
#include "common/errors.h"

namespace cinerec::collect {
namespace {

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-18
const Caller kViewer{42, false};
const Caller kMachine{0, true};

std::string Stamp(std::int64_t ms = kNow) {
  return FormatRfc3339(ms);
}

std::string One(const std::string& fields) {
  return R"({"events":[{"event_id":"0B9C1D2E-3F40-4A5B-8C6D-7E8F90A1B2C3","timestamp":")" + Stamp() + "\","
         + fields + "}]}";
}

ParsedBatch Parse(const std::string& body, const Caller& caller = kViewer) {
  return ParseEventBatch(body, caller, ParseLimits{}, kNow);
}

// The single event's rejection code and field, or "accepted".
std::string Outcome(const std::string& fields, const Caller& caller = kViewer) {
  auto batch = Parse(One(fields), caller);
  if (batch.rejections.empty()) return "accepted";
  return batch.rejections[0].code + ":" + batch.rejections[0].field;
}

TEST(EventParser, ReadsEveryTypeWithItsFields) {
  auto batch = Parse(R"({"events":[
    {"event_id":"00000000-0000-4000-8000-000000000001","type":"view_start","timestamp":")"
                     + Stamp() +
                     R"(","movie_id":7,"session_id":"s1","device":"tv","position":12.9},
    {"event_id":"00000000-0000-4000-8000-000000000002","type":"view_seek","timestamp":")"
                     + Stamp() +
                     R"(","movie_id":7,"session_id":"s1","from":100,"to":40},
    {"event_id":"00000000-0000-4000-8000-000000000003","type":"view_stop","timestamp":")"
                     + Stamp() +
                     R"(","movie_id":7,"session_id":"s1","position":5400,"watched_seconds":5300},
    {"event_id":"00000000-0000-4000-8000-000000000004","type":"click","timestamp":")"
                     + Stamp() +
                     R"(","movie_id":7,"target":"poster","section":"home/top","request_id":"r-1","rank":3},
    {"event_id":"00000000-0000-4000-8000-000000000005","type":"search","timestamp":")"
                     + Stamp() +
                     R"(","query":"Amélie \"quoted\" '; DROP TABLE users;--","results":0},
    {"event_id":"00000000-0000-4000-8000-000000000006","type":"page_view","timestamp":")"
                     + Stamp() +
                     R"(","section":"home"},
    {"event_id":"00000000-0000-4000-8000-000000000007","type":"reaction_clear","timestamp":")"
                     + Stamp() +
                     R"(","movie_id":7}
  ]})");
  ASSERT_TRUE(batch.rejections.empty()) << batch.rejections[0].message;
  ASSERT_EQ(batch.events.size(), 7u);
  const auto& start = batch.events[0];
  EXPECT_EQ(start.type, EventType::kViewStart);
  EXPECT_EQ(start.user_id, 42);  // the viewer's own id when user_id is omitted
  EXPECT_EQ(start.position_s, 12u);
  EXPECT_EQ(start.device, "tv");
  EXPECT_EQ(start.event_time_ms, kNow);
  EXPECT_EQ(start.received_ms, kNow);
  EXPECT_EQ(batch.events[1].seek_from_s, 100u);
  EXPECT_EQ(batch.events[1].seek_to_s, 40u);
  EXPECT_EQ(batch.events[2].watched_s, 5300u);
  EXPECT_EQ(batch.events[3].rank, 3);
  EXPECT_EQ(batch.events[3].section, "home/top");
  EXPECT_EQ(batch.events[4].query, "Amélie \"quoted\" '; DROP TABLE users;--");
  EXPECT_EQ(batch.events[4].results, 0u);
  EXPECT_EQ(batch.events[5].section, "home");
  EXPECT_EQ(batch.events[6].type, EventType::kReactionClear);
}

TEST(EventParser, NormalisesTheEventId) {
  auto batch = Parse(One(R"("type":"like","movie_id":1)"));
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].event_id, "0b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3");
}

TEST(EventParser, RejectsOneEventNamingTheField) {
  EXPECT_EQ(Outcome(R"("type":"teleport","movie_id":1)"), "unknown_type:type");
  EXPECT_EQ(Outcome(R"("type":7)"), "unknown_type:type");
  EXPECT_EQ(Outcome(R"("type":"like")"), "missing_field:movie_id");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":"7")"), "invalid_field:movie_id");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":0)"), "invalid_field:movie_id");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1.5)"), "invalid_field:movie_id");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":18446744073709551615)"), "invalid_field:movie_id");
  EXPECT_EQ(Outcome(R"("type":"view_progress","movie_id":1,"session_id":"s")"), "missing_field:position");
  EXPECT_EQ(Outcome(R"("type":"view_progress","movie_id":1,"position":3)"), "missing_field:session_id");
  EXPECT_EQ(Outcome(R"("type":"view_progress","movie_id":1,"session_id":"s","position":-1)"),
            "invalid_field:position");
  EXPECT_EQ(Outcome(R"("type":"view_progress","movie_id":1,"session_id":"s","position":1e300)"),
            "invalid_field:position");
  EXPECT_EQ(Outcome(R"("type":"view_stop","movie_id":1,"session_id":"s","position":3)"),
            "missing_field:watched_seconds");
  EXPECT_EQ(Outcome(R"("type":"search","query":"x")"), "missing_field:results");
  EXPECT_EQ(Outcome(R"("type":"search","query":"   ","results":1)"), "invalid_field:query");
  EXPECT_EQ(Outcome(R"("type":"search","query":"a\u0000b","results":1)"), "invalid_field:query");
  EXPECT_EQ(Outcome(R"("type":"search","query":")" + std::string(513, 'q') + R"(","results":1)"),
            "invalid_field:query");
  EXPECT_EQ(Outcome(R"("type":"click","rank":1)"), "missing_field:target");
  EXPECT_EQ(Outcome(R"("type":"click","target":"x","rank":0)"), "invalid_field:rank");
  EXPECT_EQ(Outcome(R"("type":"page_view")"), "missing_field:section");
  EXPECT_EQ(Outcome(R"("type":"page_view","section":"home","device":{"a":1})"), "invalid_field:device");
}

TEST(EventParser, ChecksWhoTheEventIsFor) {
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1,"user_id":43)"), "forbidden:user_id");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1,"user_id":42)"), "accepted");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1)", kMachine), "missing_field:user_id");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1,"user_id":43)", kMachine), "accepted");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1,"user_id":43)", Caller{7, true}), "accepted");
}

TEST(EventParser, BoundsTheClockSkew) {
  auto at = [](std::int64_t ms) {
    return Parse(
        R"({"events":[{"event_id":"00000000-0000-4000-8000-000000000001","type":"like","movie_id":1,)"
        R"("timestamp":")"
        + Stamp(ms) + "\"}]}");
  };
  EXPECT_TRUE(at(kNow + 299'000).rejections.empty());
  EXPECT_EQ(at(kNow + 301'000).rejections.at(0).field, "timestamp");
  EXPECT_TRUE(at(kNow - 6LL * 24 * 3600 * 1000).rejections.empty());
  EXPECT_EQ(at(kNow - 8LL * 24 * 3600 * 1000).rejections.at(0).field, "timestamp");
  EXPECT_EQ(Outcome(R"("type":"like","movie_id":1,"timestamp":"yesterday")"), "invalid_field:timestamp");
}

TEST(EventParser, KeepsTheValidEventsOfAMixedBatch) {
  auto batch = Parse(R"({"events":[
    {"event_id":"00000000-0000-4000-8000-000000000001","type":"like","movie_id":1,"timestamp":")"
                     + Stamp() +
                     R"("},
    {"event_id":"not-a-uuid","type":"like","movie_id":1,"timestamp":")"
                     + Stamp() + R"("},
    42,
    {"event_id":"00000000-0000-4000-8000-000000000004","type":"dislike","movie_id":2,"timestamp":")"
                     + Stamp() +
                     R"("}
  ]})");
  EXPECT_EQ(batch.total, 4u);
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.indices, (std::vector<std::size_t>{0, 3}));
  ASSERT_EQ(batch.rejections.size(), 2u);
  EXPECT_EQ(batch.rejections[0].index, 1u);
  EXPECT_EQ(batch.rejections[0].event_id, "not-a-uuid");
  EXPECT_EQ(batch.rejections[0].field, "event_id");
  EXPECT_EQ(batch.rejections[1].index, 2u);
  EXPECT_EQ(batch.rejections[1].code, "invalid_event");
}

TEST(EventParser, RefusesMalformedBatchesWhole) {
  auto status = [](const std::string& body) {
    try {
      Parse(body);
      return 0;
    } catch (const ApiError& e) {
      return e.status();
    }
  };
  EXPECT_EQ(status("{\"events\": ["), 400);
  EXPECT_EQ(status("\xff\xfe"), 400);
  EXPECT_EQ(status("[]"), 422);
  EXPECT_EQ(status(R"({"events": {}})"), 422);
  EXPECT_EQ(status(R"({"events": []})"), 422);
  EXPECT_EQ(status(R"({"events": [[[[[[[[[[[[1]]]]]]]]]]]]})"), 400);  // nesting beyond any event shape
  std::string many = R"({"events":[)";
  for (int i = 0; i < 1001; ++i)
    many += std::string(i ? "," : "") + "{}";
  EXPECT_EQ(status(many + "]}"), 413);
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  std::int64_t ms = 0;
  ASSERT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(ParseRfc3339("2026-11-24T10:15:30.125Z", ms));
  EXPECT_EQ(FormatRfc3339(ms), "2026-11-24T10:15:30.125Z");
  std::int64_t with_offset = 0;
  ASSERT_TRUE(ParseRfc3339("2026-11-24T11:15:30.125456+01:00", with_offset));
  EXPECT_EQ(with_offset, ms);
  ASSERT_TRUE(ParseRfc3339("2026-11-24T05:15:30.1-05:00", with_offset));
  EXPECT_EQ(with_offset, ms - 25);
  ASSERT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z", ms));
  for (const char* bad : {"2026-11-24T10:15:30", "2026-11-24", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-11-24T24:00:00Z", "2026-11-24T10:15:30.Z", "2026-11-24T10:15:30Zjunk",
                          "2026-11-24T10:15:30+1:00", "1969-12-31T23:59:59Z", "２０２６-11-24T10:15:30Z"})
    EXPECT_FALSE(ParseRfc3339(bad, ms)) << bad;
}

TEST(EventCodec, RoundTripsEveryField) {
  auto batch = Parse(One(R"("type":"click","movie_id":9,"target":"poster","section":"home \u00e9",)"
                         R"("request_id":"r","rank":2,"device":"tv","session_id":"s")"));
  ASSERT_EQ(batch.events.size(), 1u);
  auto event = batch.events[0];
  event.position_s = 1, event.seek_from_s = 2, event.seek_to_s = 3, event.watched_s = 4, event.results = 5;
  event.query = std::string("with\0nul", 8);
  std::vector<Event> events{event, event};
  events[1].type = EventType::kViewStop;
  std::vector<Event> decoded;
  DecodeEvents(EncodeEvents(events), decoded);
  EXPECT_EQ(decoded, events);
}

TEST(EventCodec, RefusesCorruptRecords) {
  auto batch = Parse(One(R"("type":"like","movie_id":9)"));
  const auto record = EncodeEvents(batch.events);
  std::vector<Event> out;
  for (std::size_t cut = 0; cut < record.size(); ++cut)
    EXPECT_THROW(DecodeEvents(record.substr(0, cut), out), CorruptRecord) << cut;
  EXPECT_THROW(DecodeEvents(record + "x", out), CorruptRecord);
}

}  // namespace
}  // namespace cinerec::collect
