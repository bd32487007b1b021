#include "support/event_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include "collect/event_parser.h"

namespace cinerec::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxRejectionExamples = 5;
constexpr milliseconds kFirstRetryDelay{100};
constexpr milliseconds kMaxRetryAfter{5000};

std::int64_t WallNowMs() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomUuid(std::mt19937_64& random) {
  const auto a = random(), b = random();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
                     8 + ((b >> 62) & 0x3), (b >> 48) & 0xFFF, b & 0xFFFFFFFFFFFFull);
}

const char* const kSections[] = {"home",   "home/top-picks", "home/trending",
                                 "detail", "search",         "genre/drama"};
const char* const kTargets[] = {"poster", "play", "trailer", "title"};
const char* const kDevices[] = {"tv", "web", "ios", "android"};
const char* const kWords[] = {"heat",  "amelie", "space",           "love", "war", "night", "city", "dragon",
                              "ghost", "summer", "zz-no-such-title"};

template <std::size_t N>
const char* Pick(const char* const (&items)[N], std::mt19937_64& random) {
  return items[random() % N];
}

}  // namespace

// One keep-alive connection, driven with async operations on its own io_context so that every step has a
// timeout (Beast's stream timeouts apply to async operations only).
class EventStream::Connection {
 public:
  explicit Connection(milliseconds timeout) : timeout_(timeout) {}

  bool open() const { return stream_ != nullptr; }
  void Close() {
    if (stream_) {
      beast::error_code ignored;
      stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_->close();
    }
    stream_.reset();
    buffer_.clear();
  }

  void Connect(unsigned short port) {
    Close();
    stream_ = std::make_unique<beast::tcp_stream>(ioc_);
    stream_->expires_after(timeout_);
    beast::error_code ec;
    stream_->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                           [&ec](beast::error_code e) { ec = e; });
    Run(ec, "connect");
  }

  bhttp::response<bhttp::string_body> Exchange(bhttp::request<bhttp::string_body>& request) {
    beast::error_code ec;
    stream_->expires_after(timeout_);
    bhttp::async_write(*stream_, request, [&ec](beast::error_code e, std::size_t) { ec = e; });
    Run(ec, "write");
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16u << 20);
    stream_->expires_after(timeout_);
    bhttp::async_read(*stream_, buffer_, parser, [&ec](beast::error_code e, std::size_t) { ec = e; });
    Run(ec, "read");
    return parser.release();
  }

 private:
  void Run(const beast::error_code& ec, const char* step) {
    ioc_.restart();
    ioc_.run();
    if (ec) {
      Close();
      throw std::runtime_error(fmt::format("{}: {}", step, ec.message()));
    }
  }

  milliseconds timeout_;
  asio::io_context ioc_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

std::string EventStream::Stats::Describe() const {
  std::string codes;
  for (const auto& [status, n] : statuses)
    codes += fmt::format("{}{}x{}", codes.empty() ? "" : " ", status, n);
  return fmt::format(
      "{} events: {} sent, {} acknowledged, {} rejected; {} requests ({} to retry, {} without an HTTP answer;"
      " answers {}), {} batches retried, {} abandoned; fresh events sent in {:.1f} s at {:.0f}/s; all "
      "resolved after {:.1f} s",
      events, sent, acknowledged, rejected, requests, failed_requests, network_errors,
      codes.empty() ? "none" : codes, retried_batches, abandoned_batches, send_seconds, offered_rate,
      total_seconds);
}

EventStream::EventStream(Options options) : options_(std::move(options)) {
  if (options_.users.empty() || options_.movies.empty())
    throw std::invalid_argument("EventStream needs users and movies");
  if (!options_.port) throw std::invalid_argument("EventStream needs a port");
  if (options_.batch_events == 0 || options_.events_per_s <= 0 || options_.senders < 1)
    throw std::invalid_argument("EventStream: bad batch size, rate or senders");
  Generate();
}

EventStream::~EventStream() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (auto& t : senders_)
    if (t.joinable()) t.join();
}

// The mix: each event belongs to a user picked with a mild skew. A user who is watching something mostly
// sends progress heartbeats (sometimes a pause or a seek), and eventually a stop; a user who is not starts a
// session, reacts to a movie, or browses (clicks, trailer plays, searches, page views). Popular movies are
// picked far more often than the tail (quadratic skew).
void EventStream::Generate() {
  std::mt19937_64 mix(options_.seed);
  std::mt19937_64 ids(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  struct Open {
    std::int64_t movie = 0;
    std::string session;
    std::uint32_t position = 0, watched = 0;
    std::string device;
  };
  std::vector<std::optional<Open>> open(options_.users.size());
  const auto pick_movie = [&] {
    const double u = unit(mix);
    const auto n = options_.movies.size();
    return options_.movies[std::min(n - 1, static_cast<std::size_t>(static_cast<double>(n) * u * u))];
  };
  events_.reserve(options_.events);
  for (std::size_t i = 0; i < options_.events; ++i) {
    const double u = unit(mix);
    const auto user_index =
        std::min(options_.users.size() - 1,
                 static_cast<std::size_t>(static_cast<double>(options_.users.size()) * std::pow(u, 1.3)));
    StreamEvent e;
    e.event_id = RandomUuid(ids);
    e.user_id = options_.users[user_index];
    e.offset_ms = static_cast<std::int64_t>(static_cast<double>(i) * 1000.0 / options_.events_per_s);
    auto& session = open[user_index];
    const double r = unit(mix);
    if (session) {
      e.movie_id = session->movie;
      e.session_id = session->session;
      if (r < 0.70) {
        e.type = "view_progress";
        session->position += 30 + static_cast<std::uint32_t>(mix() % 90);
        session->watched += 30;
        e.position_s = session->position;
      } else if (r < 0.75) {
        e.type = "view_pause";
        e.position_s = session->position;
      } else if (r < 0.80) {
        e.type = "view_seek";
        session->position += static_cast<std::uint32_t>(mix() % 600);
        e.position_s = session->position;
      } else if (r < 0.90) {
        e.type = "view_stop";
        e.position_s = session->position;
        e.watched_s = session->watched;
        session.reset();
      } else {  // browsing while a session is open: not part of it
        e.type = "page_view";
        e.movie_id = 0;
        e.session_id.clear();
      }
    } else if (r < 0.35) {
      e.type = "view_start";
      session = Open{pick_movie(), "ws-" + RandomUuid(ids), 0, 0, Pick(kDevices, mix)};
      e.movie_id = session->movie;
      e.session_id = session->session;
    } else if (r < 0.47) {
      e.type = unit(mix) < 0.75 ? "like" : "dislike";
      e.movie_id = pick_movie();
    } else if (r < 0.62) {
      e.type = "click";
      e.movie_id = pick_movie();
    } else if (r < 0.68) {
      e.type = "trailer_play";
      e.movie_id = pick_movie();
    } else if (r < 0.80) {
      e.type = "search";
    } else {
      e.type = "page_view";
    }
    events_.push_back(std::move(e));
  }
  states_.assign(events_.size(), EventState::kPending);
  for (std::size_t first = 0; first < events_.size(); first += options_.batch_events) {
    BatchState batch;
    batch.first = first;
    batch.count = std::min(options_.batch_events, events_.size() - first);
    batches_.push_back(std::move(batch));
  }
  active_ = batches_.size();
}

// REQUIRES: mutex_ held. Sets the events' time and freezes the body: a retry resends exactly this.
std::string EventStream::Serialise(BatchState& batch) {
  std::mt19937_64 detail(options_.seed * 1000003 + batch.first);  // search words, ranks, sections
  json::array array;
  for (std::size_t i = batch.first; i < batch.first + batch.count; ++i) {
    auto& e = events_[i];
    e.time_ms = start_wall_ms_ + e.offset_ms;
    json::object o{{"event_id", e.event_id},
                   {"type", e.type},
                   {"timestamp", collect::FormatRfc3339(e.time_ms)},
                   {"user_id", e.user_id}};
    if (e.movie_id != 0) o["movie_id"] = e.movie_id;
    if (e.IsWatch()) {
      o["session_id"] = e.session_id;
      o["device"] = Pick(kDevices, detail);
    }
    if (e.type == "view_progress" || e.type == "view_pause" || e.type == "view_stop")
      o["position"] = e.position_s;
    if (e.type == "view_stop") o["watched_seconds"] = e.watched_s;
    if (e.type == "view_seek") {
      o["from"] = e.position_s > 300 ? e.position_s - 300 : 0;
      o["to"] = e.position_s;
    }
    if (e.type == "click") {
      o["target"] = Pick(kTargets, detail);
      o["section"] = Pick(kSections, detail);
      o["rank"] = 1 + static_cast<int>(detail() % 20);
      o["request_id"] = "req-" + std::to_string(detail() % 100000);
    }
    if (e.type == "trailer_play") o["section"] = "detail";
    if (e.type == "search") {
      const std::string word = Pick(kWords, detail);
      o["query"] = word + (detail() % 2 ? " " + std::to_string(1980 + detail() % 45) : "");
      o["results"] = word.starts_with("zz") ? 0 : static_cast<int>(detail() % 50);
    }
    if (e.type == "page_view") o["section"] = Pick(kSections, detail);
    array.push_back(std::move(o));
  }
  return json::serialize(json::object{{"events", std::move(array)}});
}

void EventStream::Start() {
  std::lock_guard lock(mutex_);
  if (!senders_.empty()) throw std::logic_error("EventStream already started");
  start_ = Clock::now();
  start_wall_ms_ = WallNowMs();
  for (int i = 0; i < options_.senders; ++i)
    senders_.emplace_back([this] { SenderLoop(); });
}

double EventStream::seconds_since_start() const {
  std::lock_guard lock(mutex_);
  if (start_ == Clock::time_point{}) return 0;
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void EventStream::SenderLoop() {
  Connection connection(options_.request_timeout);
  const auto give_up = start_ + options_.give_up_after;
  const auto pace = [&](std::size_t first_event) {
    return start_
           + std::chrono::duration_cast<Clock::duration>(
               std::chrono::duration<double>(static_cast<double>(first_event) / options_.events_per_s));
  };
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_ || resolved_ == active_) break;
    const auto now = Clock::now();
    if (now >= give_up) break;
    auto wake = give_up;
    std::optional<std::size_t> pick;
    bool fresh = false;
    // Fresh batches first, to keep the pace; retries fill the gaps.
    if (next_fresh_ < active_) {
      const auto due = pace(batches_[next_fresh_].first);
      if (due <= now) {
        pick = next_fresh_++;
        fresh = true;
      } else {
        wake = std::min(wake, due);
      }
    }
    if (!pick) {
      for (std::size_t i = 0; i < next_fresh_; ++i) {
        const auto& b = batches_[i];
        if (b.resolved || b.in_flight) continue;
        if (b.not_before <= now) {
          if (!pick || b.not_before < batches_[*pick].not_before) pick = i;
        } else {
          wake = std::min(wake, b.not_before);
        }
      }
    }
    if (!pick) {
      changed_.wait_until(lock, wake);
      continue;
    }
    auto& batch = batches_[*pick];
    batch.in_flight = true;
    if (++batch.attempts == 2) ++stats_.retried_batches;
    if (fresh) {
      batch.body = Serialise(batch);
      for (std::size_t i = batch.first; i < batch.first + batch.count; ++i)
        states_[i] = EventState::kSent;
      stats_.sent += batch.count;
      fresh_sent_ += batch.count;
      if (first_send_ == Clock::time_point{}) first_send_ = now;
      last_fresh_send_ = now;
    }
    ++stats_.requests;
    const std::string& body = batch.body;  // never changes again; batches_ is never resized
    lock.unlock();
    const auto answer = Send(connection, body);
    lock.lock();
    Record(*pick, answer);
  }
  if (resolved_ != active_) end_ = std::max(end_, Clock::now());  // gave up or stopped
}

EventStream::Answer EventStream::Send(Connection& connection, const std::string& body) {
  Answer answer;
  bhttp::response<bhttp::string_body> response;
  try {
    if (!connection.open()) {
      const auto port = options_.port();
      if (port == 0) throw std::runtime_error("no service port");
      connection.Connect(port);
    }
    bhttp::request<bhttp::string_body> request(bhttp::verb::post, "/v1/events", 11);
    request.set(bhttp::field::host, "127.0.0.1");
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::authorization, "Bearer " + options_.api_key);
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();
    response = connection.Exchange(request);
    if (!response.keep_alive()) connection.Close();
  } catch (const std::exception& e) {
    connection.Close();
    answer.reason = e.what();
    return answer;  // kRetry, status 0
  }
  answer.status = static_cast<int>(response.result_int());
  const auto short_body = response.body().substr(0, 300);
  if (answer.status == 429 || answer.status >= 500) {
    answer.outcome = Outcome::kRetry;
    answer.reason = fmt::format("HTTP {}: {}", answer.status, short_body);
    if (auto it = response.find(bhttp::field::retry_after); it != response.end()) {
      try {
        answer.retry_after =
            std::min<milliseconds>(kMaxRetryAfter, std::chrono::seconds(std::stoi(std::string(it->value()))));
      } catch (const std::exception&) {
      }
    }
    return answer;
  }
  if (answer.status == 200 || answer.status == 207 || answer.status == 422) {
    try {
      const auto parsed = json::parse(response.body());
      if (const auto* errors = parsed.as_object().if_contains("errors")) {
        for (const auto& item : errors->as_array()) {
          const auto& error = item.as_object();
          answer.rejected.emplace_back(static_cast<std::size_t>(error.at("index").to_number<std::int64_t>()),
                                       fmt::format("{}: {}", json::value_to<std::string>(error.at("code")),
                                                   json::value_to<std::string>(error.at("message"))));
        }
      }
      answer.outcome = answer.status == 422 ? Outcome::kRejected : Outcome::kAcknowledged;
      if (answer.status == 422) answer.reason = fmt::format("HTTP 422: {}", short_body);
      return answer;
    } catch (const std::exception& e) {
      // An answer we cannot read: treat as not acknowledged (the events may still be stored).
      answer.outcome = Outcome::kRejected;
      answer.reason =
          fmt::format("HTTP {} with an unreadable body ({}): {}", answer.status, e.what(), short_body);
      return answer;
    }
  }
  answer.outcome = Outcome::kRejected;
  answer.reason = fmt::format("HTTP {}: {}", answer.status, short_body);
  return answer;
}

// REQUIRES: mutex_ held.
void EventStream::Record(std::size_t batch_index, const Answer& answer) {
  auto& batch = batches_[batch_index];
  batch.in_flight = false;
  if (answer.status != 0) ++stats_.statuses[answer.status];
  const auto note = [&](const std::string& reason) {
    if (stats_.rejection_examples.size() < kMaxRejectionExamples) stats_.rejection_examples.push_back(reason);
  };
  switch (answer.outcome) {
    case Outcome::kRetry: {
      ++stats_.failed_requests;
      if (answer.status == 0) ++stats_.network_errors;
      auto delay = std::min<milliseconds>(options_.max_retry_delay,
                                          kFirstRetryDelay * (1 << std::min(batch.attempts - 1, 10)));
      delay = std::max(delay, answer.retry_after);
      batch.not_before = Clock::now() + delay;
      break;
    }
    case Outcome::kAcknowledged: {
      std::vector<bool> refused(batch.count, false);
      for (const auto& [index, reason] : answer.rejected) {
        if (index < batch.count) refused[index] = true;
        note(fmt::format("event {}: {}", events_[batch.first + std::min(index, batch.count - 1)].event_id,
                         reason));
      }
      for (std::size_t i = 0; i < batch.count; ++i) {
        states_[batch.first + i] = refused[i] ? EventState::kRejected : EventState::kAcknowledged;
        if (refused[i]) {
          ++stats_.rejected;
        } else {
          ++stats_.acknowledged;
          ++acknowledged_;
        }
      }
      batch.resolved = true;
      ++resolved_;
      break;
    }
    case Outcome::kRejected:
      note(answer.reason);
      for (std::size_t i = 0; i < batch.count; ++i)
        states_[batch.first + i] = EventState::kRejected;
      stats_.rejected += batch.count;
      batch.resolved = true;
      ++resolved_;
      break;
  }
  if (resolved_ == active_) end_ = Clock::now();
  changed_.notify_all();
}

void EventStream::FinishFresh() {
  {
    std::lock_guard lock(mutex_);
    active_ = next_fresh_;
    if (resolved_ == active_ && end_ == Clock::time_point{}) end_ = Clock::now();
  }
  changed_.notify_all();
}

EventStream::Stats EventStream::Wait() {
  for (auto& t : senders_)
    if (t.joinable()) t.join();
  return stats();
}

EventStream::Stats EventStream::stats() const {
  std::lock_guard lock(mutex_);
  Stats out = stats_;
  out.abandoned_batches = active_ - resolved_;
  out.events = active_ == 0 ? 0 : batches_[active_ - 1].first + batches_[active_ - 1].count;
  if (first_send_ != Clock::time_point{}) {
    out.send_seconds = std::chrono::duration<double>(last_fresh_send_ - first_send_).count();
    // The pace puts the last fresh batch at (events - its size) / rate: measure the rate over that span.
    const auto last = batches_.empty() || next_fresh_ == 0 ? 0 : batches_[next_fresh_ - 1].count;
    if (out.send_seconds > 0) out.offered_rate = static_cast<double>(out.sent - last) / out.send_seconds;
    const auto end = end_ == Clock::time_point{} ? Clock::now() : end_;
    out.total_seconds = std::chrono::duration<double>(end - start_).count();
  }
  return out;
}

std::vector<EventState> EventStream::states() const {
  std::lock_guard lock(mutex_);
  return states_;
}

std::vector<std::size_t> EventStream::AcknowledgedIndices() const {
  std::lock_guard lock(mutex_);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < states_.size(); ++i)
    if (states_[i] == EventState::kAcknowledged) out.push_back(i);
  return out;
}

}  // namespace cinerec::testing
