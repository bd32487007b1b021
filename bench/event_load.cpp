// event_load: the load generator of the event-ingestion benchmark (scripts/bench.sh, stage "events";
// docs/benchmarks.md, "Event ingestion"). A separate process that drives `POST /v1/events` of a running
// `cinerec serve` over keep-alive connections on loopback, then
//   1. measures acknowledgements: events/s acknowledged, per-request latency p50/p99/max, non-2xx by status;
//   2. waits until every acknowledged event is visible in ClickHouse (watch_events + ui_events: first enough
//      rows, then as many distinct event ids of this run as were acknowledged) and reports
//      the end-to-end sustained rate = acknowledged events / (first send -> all visible);
//   3. measures the ceiling in the same run: the rows the service wrote, read back and inserted again
//      straight over ClickHouse HTTP (JSONEachRow, 10,000 rows per INSERT, one connection like the sink)
//      into copies of the tables, as many rows as the service delivered; prints the ratio service/ceiling.
//
// The event mix is fixed: every block of 100 consecutive events of a batch holds exactly
//   watch (80 %): 60 view_progress, 8 view_start, 6 view_stop, 3 view_pause, 3 view_seek;
//   ui (20 %):    4 like, 1 dislike, 1 reaction_clear, 6 click, 2 trailer_play, 4 search, 2 page_view
// in a shuffled order. user_id is uniform over 1..--users (the worst case for the service's user cache);
// each user has 4 playback sessions per run (session_id "<run tag>-<user>-<k>"), each of one movie
// (a hash of user and session over 1..--movies); reactions, clicks and trailers name a uniform movie.
// Fresh random UUIDv4 per event, timestamp = now (ms), device from {tv, web, ios, android}.
//
// Concurrency: --connections keep-alive connections, one request in flight on each (the server answers a
// connection's requests in order), all driven by one Asio thread (the client needs little CPU). With --rate
// the batches are spread on a fixed schedule (open loop); a batch that could not be sent on time goes at once
// and the shortfall shows in the acknowledged rate. A 429/503/5xx or a broken connection re-sends the same
// batch (same event ids, as the contract asks) after min(Retry-After, 1 s).
//
// The last line is machine-readable: "RESULT key=value ...", parsed by scripts/bench.sh.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------------------------------ options

struct Options {
  std::string url = "http://127.0.0.1:18190/v1/events";
  std::string key;
  int batch = 1000;
  double duration_s = 30;
  std::uint64_t events = 0;  // 0 = bounded by duration only
  int connections = 16;
  double rate = 0;  // events/s, 0 = as fast as the server acknowledges
  std::int64_t users = 1'000'000;
  std::int64_t movies = 60'000;
  std::uint64_t seed = 0;   // 0 = from the clock
  double progress_s = 0;    // print a progress line this often (0 = never)
  std::string metrics_url;  // the service's /metrics: spool lag per sink printed at the end
  // ClickHouse (visibility and ceiling); empty url = skip both.
  std::string ch_url;
  std::string ch_database = "cinerec";
  std::string ch_user = "default";
  std::string ch_password;
  double visible_timeout_s = 300;
  bool ceiling = true;
  std::size_t ceiling_sample = 200'000;  // rows read back from what the service wrote
  std::size_t ceiling_batch = 10'000;
  std::string label;
};

struct Url {
  std::string host, port, target;
};

Url ParseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) throw std::invalid_argument("only http:// URLs: " + url);
  std::string rest = url.substr(kScheme.size());
  Url out;
  const auto slash = rest.find('/');
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::string authority = rest.substr(0, slash);
  const auto colon = authority.rfind(':');
  out.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  out.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  return out;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU seconds (user + system) this process has used so far.
double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
         + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// ------------------------------------------------------------------------------------------ events

// xoshiro256**: fast, good enough for ids and choices; one per connection.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9E3779B97F4A7C15ULL;  // splitmix64
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      s = z ^ (z >> 31);
    }
  }
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }  // bias negligible for small n

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

enum Type : std::uint8_t {
  kViewProgress,
  kViewStart,
  kViewStop,
  kViewPause,
  kViewSeek,
  kLike,
  kDislike,
  kReactionClear,
  kClick,
  kTrailerPlay,
  kSearch,
  kPageView,
  kTypes
};
constexpr std::array<const char*, kTypes> kTypeNames = {
    "view_progress", "view_start",     "view_stop", "view_pause",   "view_seek", "like",
    "dislike",       "reaction_clear", "click",     "trailer_play", "search",    "page_view"};
constexpr std::array<int, kTypes> kMixPerHundred = {60, 8, 6, 3, 3, 4, 1, 1, 6, 2, 4, 2};
bool IsWatch(int type) {
  return type <= kViewSeek;
}

std::array<Type, 100> MixBlock() {
  std::array<Type, 100> block{};
  std::size_t i = 0;
  for (int t = 0; t < kTypes; ++t)
    for (int n = 0; n < kMixPerHundred[static_cast<std::size_t>(t)]; ++n)
      block[i++] = static_cast<Type>(t);
  if (i != block.size()) throw std::logic_error("the mix must add up to 100");
  return block;
}

constexpr std::array<const char*, 4> kDevices = {"tv", "web", "ios", "android"};
constexpr std::array<const char*, 6> kSections = {
    "home/top-picks", "home/because-you-watched", "home/trending", "search", "detail", "browse/genre"};
constexpr std::array<const char*, 4> kTargets = {"poster", "play", "trailer", "more-info"};
constexpr std::array<const char*, 8> kQueries = {"heist movies", "space",     "comedy 90s",     "noir",
                                                 "pixar",        "war drama", "french romance", "zombie"};

void AppendUint(std::string& out, std::uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    out += buf[--n];
}

void AppendUuid(std::string& out, Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;              // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // variant 10
  char text[36];
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) text[pos++] = '-';
    const std::uint64_t word = i < 16 ? hi : lo;
    const int shift = 60 - 4 * (i % 16);
    text[pos++] = kHex[(word >> shift) & 0xF];
  }
  out += '"';
  out.append(text, sizeof text);
  out += '"';
}

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

struct BatchCounts {
  std::uint64_t watch = 0, ui = 0;
};

// Builds the JSON body of one batch: `batch` events, the mix exact per 100.
class EventFactory {
 public:
  EventFactory(const Options& o, std::string tag, std::uint64_t seed)
      : options_(o), tag_(std::move(tag)), rng_(seed), block_(MixBlock()) {}

  BatchCounts Build(std::string& body, int batch) {
    body.clear();
    body += "{\"events\":[";
    const std::string ts = NowRfc3339();
    BatchCounts counts;
    for (int i = 0; i < batch; ++i) {
      if (i % 100 == 0) Shuffle();
      const Type type = block_[static_cast<std::size_t>(i % 100)];
      if (i) body += ',';
      AppendEvent(body, type, ts);
      (IsWatch(type) ? counts.watch : counts.ui)++;
    }
    body += "]}";
    return counts;
  }

 private:
  void Shuffle() {
    for (std::size_t i = block_.size() - 1; i > 0; --i)
      std::swap(block_[i], block_[rng_.Below(i + 1)]);
  }

  std::uint64_t Movie() { return 1 + rng_.Below(static_cast<std::uint64_t>(options_.movies)); }

  void Key(std::string& out, const char* name) {
    out += ",\"";
    out += name;
    out += "\":";
  }
  void Text(std::string& out, const char* name, std::string_view value) {
    Key(out, name);
    out += '"';
    out += value;
    out += '"';
  }
  void Number(std::string& out, const char* name, std::uint64_t value) {
    Key(out, name);
    AppendUint(out, value);
  }

  void AppendEvent(std::string& out, Type type, const std::string& ts) {
    const std::uint64_t user = 1 + rng_.Below(static_cast<std::uint64_t>(options_.users));
    const std::uint64_t session = rng_.Below(4);
    out += "{\"event_id\":";
    AppendUuid(out, rng_);
    Text(out, "type", kTypeNames[type]);
    Text(out, "timestamp", ts);
    Number(out, "user_id", user);
    Text(out, "device", kDevices[rng_.Below(kDevices.size())]);
    std::string session_id = tag_;
    session_id += '-';
    AppendUint(session_id, user);
    session_id += '-';
    AppendUint(session_id, session);
    Text(out, "session_id", session_id);  // the run's tag: lets the benchmark find its rows
    if (IsWatch(type)) {
      std::uint64_t h = (user * 4 + session) * 0x9E3779B97F4A7C15ULL;
      h ^= h >> 29;
      Number(out, "movie_id", 1 + h % static_cast<std::uint64_t>(options_.movies));
    }
    const std::uint64_t position = rng_.Below(7200);
    switch (type) {
      case kViewStart:
        if (rng_.Below(4) == 0) Number(out, "position", position);
        break;
      case kViewProgress:
      case kViewPause:
        Number(out, "position", position);
        break;
      case kViewStop:
        Number(out, "position", position);
        Number(out, "watched_seconds", position / 2 + rng_.Below(position / 2 + 1));
        break;
      case kViewSeek:
        Number(out, "from", position);
        Number(out, "to", rng_.Below(7200));
        break;
      case kLike:
      case kDislike:
      case kReactionClear:
        Number(out, "movie_id", Movie());
        break;
      case kClick:
        Number(out, "movie_id", Movie());
        Text(out, "target", kTargets[rng_.Below(kTargets.size())]);
        Text(out, "section", kSections[rng_.Below(kSections.size())]);
        Text(out, "request_id", "r-bench");
        Number(out, "rank", 1 + rng_.Below(20));
        break;
      case kTrailerPlay:
        Number(out, "movie_id", Movie());
        Text(out, "section", kSections[rng_.Below(kSections.size())]);
        break;
      case kSearch:
        Text(out, "query", kQueries[rng_.Below(kQueries.size())]);
        Number(out, "results", rng_.Below(50));
        break;
      case kPageView:
        Text(out, "section", kSections[rng_.Below(kSections.size())]);
        break;
      default:
        break;
    }
    out += '}';
  }

  const Options& options_;
  std::string tag_;
  Rng rng_;
  std::array<Type, 100> block_;
};

// ------------------------------------------------------------------------------------------ load

struct Stats {
  std::mutex mutex;
  std::vector<std::uint32_t> latency_us;  // one per answered request
  std::map<int, std::uint64_t> status;    // answers by HTTP status
  std::uint64_t requests = 0, retries = 0, connection_errors = 0;
  std::uint64_t events_sent = 0;   // distinct events (a retried batch counts once)
  std::uint64_t events_acked = 0;  // "accepted" of 200/207 answers
  std::uint64_t events_rejected = 0;
  BatchCounts acked_split;  // of fully accepted (200) batches
  Clock::time_point first_send{}, last_ack{};
  bool have_first = false;
  std::string fatal;
};

struct Shared {
  const Options& options;
  Url url;
  std::string tag;
  Clock::time_point start, end;
  std::atomic<std::uint64_t> next_slot{0};
  Stats stats;
};

std::uint64_t AcceptedOf(std::string_view body) {
  const auto pos = body.find("\"accepted\":");
  if (pos == std::string_view::npos) return 0;
  std::uint64_t n = 0;
  for (std::size_t i = pos + 11; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i)
    n = n * 10 + static_cast<std::uint64_t>(body[i] - '0');
  return n;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Shared& shared, int index)
      : io_(io),
        shared_(shared),
        stream_(io),
        timer_(io),
        factory_(shared.options, shared.tag,
                 shared.options.seed * 1000003 + static_cast<std::uint64_t>(index)) {}

  void Start() { NextBatch(); }

 private:
  void NextBatch() {
    const auto& o = shared_.options;
    const std::uint64_t slot = shared_.next_slot.fetch_add(1);
    if (o.events != 0 && slot * static_cast<std::uint64_t>(o.batch) >= o.events) return Close();
    auto due = Clock::now();
    if (o.rate > 0) {
      due = shared_.start
            + std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(static_cast<double>(slot) * o.batch / o.rate));
      if (due >= shared_.end) return Close();
    }
    if (Clock::now() >= shared_.end) return Close();
    counts_ = factory_.Build(body_, o.batch);
    {
      std::lock_guard lock(shared_.stats.mutex);
      shared_.stats.events_sent += static_cast<std::uint64_t>(o.batch);
    }
    if (due > Clock::now()) {
      timer_.expires_at(due);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Send(); });
    } else {
      Send();
    }
  }

  void Send() {
    if (!connected_) return Connect();
    request_ = {};
    request_.method(http::verb::post);
    request_.target(shared_.url.target);
    request_.version(11);
    request_.set(http::field::host, shared_.url.host);
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::authorization, "Bearer " + shared_.options.key);
    request_.keep_alive(true);
    request_.body() = body_;
    request_.prepare_payload();
    sent_at_ = Clock::now();
    {
      std::lock_guard lock(shared_.stats.mutex);
      if (!shared_.stats.have_first) {
        shared_.stats.have_first = true;
        shared_.stats.first_send = sent_at_;
      }
    }
    stream_.expires_after(std::chrono::seconds(60));
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Broken(ec);
      self->response_ = {};
      self->buffer_.clear();
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code ec2, std::size_t) {
                         if (ec2) return self->Broken(ec2);
                         self->Answered();
                       });
    });
  }

  void Connect() {
    auto resolver = std::make_shared<tcp::resolver>(io_);
    resolver->async_resolve(
        shared_.url.host, shared_.url.port,
        [self = shared_from_this(), resolver](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec) return self->Broken(ec);
          self->stream_.expires_after(std::chrono::seconds(10));
          self->stream_.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2) return self->Broken(ec2);
            self->stream_.socket().set_option(tcp::no_delay(true));
            self->connected_ = true;
            self->Send();
          });
        });
  }

  void Broken(beast::error_code ec) {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
    bool give_up = false;
    {
      std::lock_guard lock(shared_.stats.mutex);
      ++shared_.stats.connection_errors;
      ++shared_.stats.retries;
      if ((shared_.stats.connection_errors > 1000 && shared_.stats.events_acked == 0)
          || Clock::now() > shared_.end + std::chrono::seconds(60)) {
        shared_.stats.fatal = "cannot reach the service: " + ec.message();
        give_up = true;
      }
    }
    if (give_up) return;
    RetryAfter(std::chrono::milliseconds(100));
  }

  void RetryAfter(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Send(); });
  }

  void Answered() {
    const auto now = Clock::now();
    const int status = static_cast<int>(response_.result_int());
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count();
    bool retry = false, fatal = false;
    std::chrono::milliseconds delay{100};
    {
      auto& s = shared_.stats;
      std::lock_guard lock(s.mutex);
      ++s.requests;
      ++s.status[status];
      s.latency_us.push_back(static_cast<std::uint32_t>(std::min<long long>(latency, UINT32_MAX)));
      if (status == 200 || status == 207) {
        const std::uint64_t accepted = AcceptedOf(response_.body());
        s.events_acked += accepted;
        s.events_rejected += static_cast<std::uint64_t>(shared_.options.batch) - accepted;
        if (status == 200) {
          s.acked_split.watch += counts_.watch;
          s.acked_split.ui += counts_.ui;
        }
        s.last_ack = now;
      } else if (status == 429 || status >= 500) {
        retry = true;
        ++s.retries;
        if (auto it = response_.find(http::field::retry_after); it != response_.end()) {
          const int seconds = std::atoi(std::string(it->value()).c_str());
          delay = std::min(std::chrono::milliseconds(1000), std::chrono::milliseconds(seconds * 1000));
          delay = std::max(delay, std::chrono::milliseconds(50));
        }
      } else if (status == 401 || status == 403) {
        s.fatal = "the service refused the key (" + std::to_string(status) + "): " + response_.body();
        fatal = true;
      } else if (s.status[status] == 1) {
        std::fprintf(stderr, "event_load: HTTP %d: %.300s\n", status, response_.body().c_str());
      }
    }
    if (!response_.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      connected_ = false;
    }
    if (fatal) return Close();
    if (retry) return RetryAfter(delay);
    NextBatch();
  }

  void Close() {
    timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  asio::io_context& io_;
  Shared& shared_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  EventFactory factory_;
  bool connected_ = false;
  std::string body_;
  BatchCounts counts_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  Clock::time_point sent_at_;
};

// ------------------------------------------------------------------------------------------ plain HTTP

// A small synchronous keep-alive client for ClickHouse and /metrics.
class HttpClient {
 public:
  explicit HttpClient(const std::string& url) : url_(ParseUrl(url)), stream_(io_) {}

  struct Answer {
    int status = 0;
    std::string body;
  };

  // One request; a keep-alive connection the server closed meanwhile is reopened once.
  Answer Request(http::verb verb, const std::string& target, std::string body,
                 const std::string& authorization = "") {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, url_.host);
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    request.keep_alive(true);
    request.body() = std::move(body);
    request.prepare_payload();
    for (int attempt = 0;; ++attempt) {
      const bool reused = connected_;
      try {
        if (!connected_) {
          tcp::resolver resolver(io_);
          stream_.expires_after(std::chrono::seconds(10));
          stream_.connect(resolver.resolve(url_.host, url_.port));
          stream_.socket().set_option(tcp::no_delay(true));  // else Nagle + delayed ACK add 40 ms per request
          connected_ = true;
        }
        stream_.expires_after(std::chrono::seconds(300));
        http::write(stream_, request);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        http::read(stream_, buffer, parser);
        auto response = parser.release();
        if (!response.keep_alive()) Disconnect();
        return {static_cast<int>(response.result_int()), std::move(response.body())};
      } catch (const std::exception&) {
        Disconnect();
        if (!reused || attempt > 0) throw;
      }
    }
  }

  const Url& url() const { return url_; }

 private:
  void Disconnect() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
  }

  Url url_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  bool connected_ = false;
};

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Base64(std::string_view in) {
  static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16)
                       | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out += kTable[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += i + 1 < in.size() ? kTable[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

class ClickHouse {
 public:
  explicit ClickHouse(const Options& o) : http_(o.ch_url), database_(o.ch_database) {
    if (o.ch_user != "default" || !o.ch_password.empty())
      authorization_ = "Basic " + Base64(o.ch_user + ":" + o.ch_password);
  }

  // Runs a statement; throws with ClickHouse's message on an error. `extra` = more URL parameters.
  std::string Query(const std::string& sql, const std::string& extra = "") {
    auto answer = http_.Request(http::verb::post, Target(extra), sql, authorization_);
    if (answer.status != 200)
      throw std::runtime_error("clickhouse " + std::to_string(answer.status) + ": "
                               + answer.body.substr(0, 400));
    return answer.body;
  }

  std::uint64_t Number(const std::string& sql) { return std::stoull(Query(sql)); }

  // INSERT ... FORMAT JSONEachRow with the rows as the body; returns the HTTP status (error text in body).
  HttpClient::Answer Insert(const std::string& table, std::string rows) {
    const std::string extra = "&query=" + UrlEncode("INSERT INTO " + table + " FORMAT JSONEachRow");
    return http_.Request(http::verb::post, Target(extra), std::move(rows), authorization_);
  }

 private:
  std::string Target(const std::string& extra) const {
    std::string target = http_.url().target;
    if (target.empty() || target.back() != '/') target += '/';
    return target + "?database=" + UrlEncode(database_) + extra;
  }

  HttpClient http_;
  std::string database_;
  std::string authorization_;
};

// ------------------------------------------------------------------------------------------ report

double Percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)] / 1000.0;
}

std::string Grouped(double value) {
  std::string digits = std::to_string(static_cast<long long>(value + 0.5));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The spool's lag per sink and size from the service's /metrics, as "sink=lag ..." (empty when unreachable).
std::string SpoolLag(const std::string& metrics_url) {
  try {
    HttpClient client(metrics_url);
    const auto answer = client.Request(http::verb::get, client.url().target, "");
    std::string out;
    std::size_t pos = 0;
    while (pos < answer.body.size()) {
      auto end = answer.body.find('\n', pos);
      if (end == std::string::npos) end = answer.body.size();
      const std::string_view line(answer.body.data() + pos, end - pos);
      pos = end + 1;
      if (line.rfind("cinerec_collect_spool_lag_records{", 0) == 0
          || line.rfind("cinerec_collect_spool{", 0) == 0) {
        if (!out.empty()) out += "; ";
        out += line;
      }
    }
    return out;
  } catch (const std::exception& e) {
    return std::string("(metrics unavailable: ") + e.what() + ")";
  }
}

// Reads back up to `limit` rows of `table` written by this run (JSONEachRow, numbers unquoted), as lines.
std::vector<std::string> ReadBack(ClickHouse& ch, const std::string& table, const std::string& tag,
                                  std::size_t limit) {
  const std::string body = ch.Query("SELECT * FROM " + table + " WHERE session_id LIKE '" + tag + "-%' LIMIT "
                                        + std::to_string(limit) + " FORMAT JSONEachRow",
                                    "&output_format_json_quote_64bit_integers=0");
  std::vector<std::string> rows;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    if (end > pos) rows.emplace_back(body, pos, end - pos);
    pos = end + 1;
  }
  return rows;
}

struct Ceiling {
  std::uint64_t rows = 0, inserts = 0, retries = 0;
  double seconds = 0;
};

// Inserts `target_rows` rows (cycling over the samples) in INSERTs of `batch` rows, watch and ui batches in
// the proportion of the samples, one connection, one INSERT at a time: what the service's sink does.
Ceiling MeasureCeiling(ClickHouse& ch, const std::vector<std::string>& watch,
                       const std::vector<std::string>& ui, std::uint64_t target_rows, std::size_t batch) {
  for (const char* table : {"watch_events", "ui_events"}) {
    ch.Query(std::string("CREATE TABLE IF NOT EXISTS bench_ceiling_") + table + " AS " + table);
    ch.Query(std::string("TRUNCATE TABLE bench_ceiling_") + table);
  }
  Ceiling result;
  std::size_t wpos = 0, upos = 0;
  double watch_share = static_cast<double>(watch.size()) / static_cast<double>(watch.size() + ui.size());
  std::uint64_t watch_rows = 0;
  std::string rows;
  const auto start = Clock::now();
  while (result.rows < target_rows) {
    const bool use_watch =
        ui.empty()
        || (!watch.empty()
            && static_cast<double>(watch_rows) <= watch_share * static_cast<double>(result.rows));
    const auto& sample = use_watch ? watch : ui;
    auto& pos = use_watch ? wpos : upos;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(batch, target_rows - result.rows));
    rows.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (i) rows += '\n';
      rows += sample[pos];
      pos = (pos + 1) % sample.size();
    }
    const std::string table = use_watch ? "bench_ceiling_watch_events" : "bench_ceiling_ui_events";
    for (;;) {
      const auto answer = ch.Insert(table, rows);
      if (answer.status == 200) break;
      ++result.retries;  // e.g. "too many parts": the server asks to slow down; that time counts
      if (result.retries == 1)
        std::fprintf(stderr, "event_load: ceiling insert %d: %.300s\n", answer.status, answer.body.c_str());
      if (result.retries > 100) throw std::runtime_error("ceiling inserts keep failing");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ++result.inserts;
    result.rows += n;
    if (use_watch) watch_rows += n;
  }
  result.seconds = Seconds(Clock::now() - start);
  return result;
}

std::string RandomTag(std::uint64_t seed) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  Rng rng(seed ^ 0xC0FFEE);
  std::string tag = "b";
  for (int i = 0; i < 7; ++i)
    tag += kAlphabet[rng.Below(36)];
  return tag;
}

int Run(Options o) {
  if (o.seed == 0)
    o.seed = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count())
             ^ static_cast<std::uint64_t>(::getpid());
  Shared shared{o, ParseUrl(o.url), RandomTag(o.seed), {}, {}, {}, {}};
  std::optional<ClickHouse> ch;
  std::uint64_t baseline = 0;
  const std::string count_sql = "SELECT (SELECT count() FROM watch_events) + (SELECT count() FROM ui_events)";
  if (!o.ch_url.empty()) {
    ch.emplace(o);
    baseline = ch->Number(count_sql);
  }
  std::fprintf(stderr,
               "event_load: %s, batch %d, %d connections, %s, rate %s, users 1..%" PRId64
               ", movies 1..%" PRId64 ", run tag %s\n",
               o.url.c_str(), o.batch, o.connections,
               o.events != 0 ? (std::to_string(o.events) + " events").c_str()
                             : (std::to_string(o.duration_s) + " s").c_str(),
               o.rate > 0 ? (Grouped(o.rate) + " events/s").c_str() : "as fast as acknowledged", o.users,
               o.movies, shared.tag.c_str());

  asio::io_context io(1);
  const double cpu_start = CpuSeconds();
  shared.start = Clock::now();
  shared.end =
      shared.start
      + (o.duration_s > 0
             ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s))
             : std::chrono::hours(24 * 365));
  for (int i = 0; i < o.connections; ++i)
    std::make_shared<Connection>(io, shared, i)->Start();

  // Progress lines (and an early stop on a fatal error).
  asio::steady_timer progress(io);
  std::uint64_t last_acked = 0;
  auto last_time = shared.start;
  std::function<void()> tick = [&] {
    progress.expires_after(
        std::chrono::milliseconds(o.progress_s > 0 ? static_cast<int>(o.progress_s * 1000) : 500));
    progress.async_wait([&](beast::error_code ec) {
      if (ec) return;
      const auto now = Clock::now();
      std::uint64_t acked;
      bool fatal;
      {
        std::lock_guard lock(shared.stats.mutex);
        acked = shared.stats.events_acked;
        fatal = !shared.stats.fatal.empty();
      }
      if (fatal) return io.stop();
      if (o.progress_s > 0) {
        std::fprintf(stderr, "  t=%5.1f s  acked %12s  %10s events/s\n", Seconds(now - shared.start),
                     Grouped(static_cast<double>(acked)).c_str(),
                     Grouped(static_cast<double>(acked - last_acked) / Seconds(now - last_time)).c_str());
        last_acked = acked;
        last_time = now;
      }
      if (now < shared.end + std::chrono::seconds(120)) tick();
    });
  };
  tick();
  // Run until the connections finish: they stop issuing at the deadline; the progress timer is cancelled
  // then.
  asio::steady_timer stopper(io);
  std::function<void()> check = [&] {
    stopper.expires_after(std::chrono::milliseconds(50));
    stopper.async_wait([&](beast::error_code ec) {
      if (ec) return;
      const bool done_by_events =
          o.events != 0 && shared.next_slot.load() * static_cast<std::uint64_t>(o.batch) >= o.events;
      if (Clock::now() >= shared.end || done_by_events) {
        progress.cancel();
        return;  // connections finish their in-flight batch and close; io.run() returns when all are done
      }
      check();
    });
  };
  check();
  io.run();
  const auto load_end = Clock::now();
  const double client_cpu = CpuSeconds() - cpu_start;

  auto& s = shared.stats;
  if (!s.fatal.empty()) {
    std::fprintf(stderr, "event_load: %s\n", s.fatal.c_str());
    return 1;
  }
  std::sort(s.latency_us.begin(), s.latency_us.end());
  const double load_seconds = Seconds((s.last_ack > s.first_send ? s.last_ack : load_end) - s.first_send);
  const double acked_rate = load_seconds > 0 ? static_cast<double>(s.events_acked) / load_seconds : 0;
  const double p50 = Percentile(s.latency_us, 0.50), p99 = Percentile(s.latency_us, 0.99),
               pmax = s.latency_us.empty() ? 0 : s.latency_us.back() / 1000.0;
  std::string statuses, non2xx;
  std::uint64_t non2xx_count = 0;
  for (const auto& [status, n] : s.status) {
    statuses += (statuses.empty() ? "" : " ") + std::to_string(status) + ":" + std::to_string(n);
    if (status / 100 != 2) {
      non2xx += (non2xx.empty() ? "" : ",") + std::to_string(status) + ":" + std::to_string(n);
      non2xx_count += n;
    }
  }
  std::printf("  sent %s events in %s requests (%s retries, %s connection errors); answers %s\n",
              Grouped(static_cast<double>(s.events_sent)).c_str(),
              Grouped(static_cast<double>(s.requests)).c_str(),
              Grouped(static_cast<double>(s.retries)).c_str(),
              Grouped(static_cast<double>(s.connection_errors)).c_str(), statuses.c_str());
  std::printf(
      "  acknowledged %s events (%s rejected) in %.2f s: %s events/s; ack latency p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms\n",
      Grouped(static_cast<double>(s.events_acked)).c_str(),
      Grouped(static_cast<double>(s.events_rejected)).c_str(), load_seconds, Grouped(acked_rate).c_str(), p50,
      p99, pmax);
  std::printf("  load generator CPU: %.1f s, %.0f %% of one core\n", client_cpu,
              100 * client_cpu / Seconds(load_end - shared.start));
  std::fflush(stdout);

  double visible_seconds = 0, e2e_rate = 0, after_last_ack = 0;
  std::uint64_t visible = 0, unique = 0;
  Ceiling ceiling;
  double ratio = 0;
  if (ch) {
    const auto deadline =
        Clock::now()
        + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.visible_timeout_s));
    Clock::time_point seen_at{};
    const std::string where = " WHERE session_id LIKE '" + shared.tag + "-%'";
    const std::string unique_sql = "SELECT (SELECT uniqExact(event_id) FROM watch_events" + where
                                   + ") + (SELECT uniqExact(event_id) FROM ui_events" + where + ")";
    for (;;) {
      try {
        visible = ch->Number(count_sql) - baseline;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "event_load: count: %s\n", e.what());
      }
      // Rows can outnumber events (a batch re-sent after a store outage is in ClickHouse twice until a
      // merge): once there are enough rows, only the distinct event ids of this run say that every event is
      // there.
      if (visible >= s.events_acked) {
        std::uint64_t distinct = 0;
        try {
          distinct = ch->Number(unique_sql);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "event_load: uniqExact: %s\n", e.what());
        }
        if (distinct >= s.events_acked) {
          seen_at = Clock::now();
          break;
        }
      }
      if (Clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (seen_at != Clock::time_point{}) {
      visible_seconds = Seconds(seen_at - s.first_send);
      after_last_ack = Seconds(seen_at - s.last_ack);
      e2e_rate = static_cast<double>(s.events_acked) / visible_seconds;
      std::printf(
          "  visible in ClickHouse: all %s acknowledged events %.2f s after the first send (%.2f s after the "
          "last ack): %s events/s end to end\n",
          Grouped(static_cast<double>(s.events_acked)).c_str(), visible_seconds, after_last_ack,
          Grouped(e2e_rate).c_str());
    } else {
      std::printf("  NOT all visible in ClickHouse after %.0f s: %s of %s acknowledged events\n",
                  o.visible_timeout_s, Grouped(static_cast<double>(visible)).c_str(),
                  Grouped(static_cast<double>(s.events_acked)).c_str());
    }
    try {
      unique = ch->Number(unique_sql);
      std::printf("  distinct event ids of this run in ClickHouse: %s (acknowledged %s)\n",
                  Grouped(static_cast<double>(unique)).c_str(),
                  Grouped(static_cast<double>(s.events_acked)).c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "event_load: uniqExact: %s\n", e.what());
    }
    if (o.ceiling && s.events_acked > 0) {
      try {
        const auto watch_n = static_cast<std::size_t>(static_cast<double>(o.ceiling_sample) * 0.8);
        const auto watch = ReadBack(*ch, "watch_events", shared.tag, watch_n);
        const auto ui = ReadBack(*ch, "ui_events", shared.tag, o.ceiling_sample - watch_n);
        if (watch.empty() && ui.empty()) throw std::runtime_error("no rows of this run to read back");
        ceiling = MeasureCeiling(*ch, watch, ui, s.events_acked, o.ceiling_batch);
        const double ceiling_rate = static_cast<double>(ceiling.rows) / ceiling.seconds;
        ratio = e2e_rate / ceiling_rate;
        std::printf(
            "  ceiling: the same rows straight into ClickHouse, %s rows in %s INSERTs of %s: %.2f s, %s "
            "rows/s"
            "%s; service / ceiling = %.3f\n",
            Grouped(static_cast<double>(ceiling.rows)).c_str(),
            Grouped(static_cast<double>(ceiling.inserts)).c_str(),
            Grouped(static_cast<double>(o.ceiling_batch)).c_str(), ceiling.seconds,
            Grouped(ceiling_rate).c_str(),
            ceiling.retries ? (" (" + std::to_string(ceiling.retries) + " refused inserts retried)").c_str()
                            : "",
            ratio);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "event_load: ceiling: %s\n", e.what());
      }
    }
  }
  if (!o.metrics_url.empty()) std::printf("  spool after the run: %s\n", SpoolLag(o.metrics_url).c_str());
  std::printf("RESULT label=%s batch=%d connections=%d sent=%" PRIu64 " acked=%" PRIu64 " rejected=%" PRIu64
              " load_s=%.3f acked_per_s=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%s visible=%" PRIu64
              " unique=%" PRIu64 " visible_s=%.3f after_last_ack_s=%.3f e2e_per_s=%.0f ceiling_rows=%" PRIu64
              " ceiling_s=%.3f ceiling_per_s=%.0f ratio=%.3f\n",
              o.label.empty() ? "-" : o.label.c_str(), o.batch, o.connections, s.events_sent, s.events_acked,
              s.events_rejected, load_seconds, acked_rate, p50, p99, pmax,
              non2xx.empty() ? "0" : non2xx.c_str(), visible, unique, visible_seconds, after_last_ack,
              e2e_rate, ceiling.rows, ceiling.seconds,
              ceiling.seconds > 0 ? static_cast<double>(ceiling.rows) / ceiling.seconds : 0, ratio);
  (void)non2xx_count;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"event_load: load generator for POST /v1/events (docs/benchmarks.md, Event ingestion)"};
  app.add_option("--url", o.url, "The service's event endpoint")->capture_default_str();
  app.add_option("--key", o.key, "Admin API key (Authorization: Bearer)")->required();
  app.add_option("--batch", o.batch, "Events per request")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--duration", o.duration_s, "Seconds of load (0 = until --events)")->capture_default_str();
  app.add_option("--events", o.events, "Stop after this many events (0 = by duration)")
      ->capture_default_str();
  app.add_option("--connections", o.connections, "Keep-alive connections, one request in flight each")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--rate", o.rate, "Events per second (0 = as fast as acknowledged)")->capture_default_str();
  app.add_option("--users", o.users, "user_id is uniform over 1..users")->capture_default_str();
  app.add_option("--movies", o.movies, "movie_id is in 1..movies")->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed (0 = from the clock)");
  app.add_option("--progress", o.progress_s, "Print a progress line every this many seconds (0 = never)");
  app.add_option("--metrics-url", o.metrics_url, "The service's /metrics (spool lag printed at the end)");
  app.add_option("--clickhouse-url", o.ch_url,
                 "ClickHouse HTTP URL (empty = no visibility check, no ceiling)");
  app.add_option("--clickhouse-database", o.ch_database, "The service's ClickHouse database")
      ->capture_default_str();
  app.add_option("--clickhouse-user", o.ch_user)->capture_default_str();
  app.add_option("--clickhouse-password", o.ch_password);
  app.add_option("--visible-timeout", o.visible_timeout_s, "Seconds to wait for every event in ClickHouse")
      ->capture_default_str();
  app.add_flag("!--no-ceiling", o.ceiling, "Skip the direct ClickHouse insert ceiling");
  app.add_option("--ceiling-sample", o.ceiling_sample, "Rows read back for the ceiling (cycled)")
      ->capture_default_str();
  app.add_option("--ceiling-batch", o.ceiling_batch, "Rows per ceiling INSERT")->capture_default_str();
  app.add_option("--label", o.label, "Label of the RESULT line");
  CLI11_PARSE(app, argc, argv);
  if (o.duration_s <= 0 && o.events == 0) {
    std::fprintf(stderr, "event_load: give --duration or --events\n");
    return 2;
  }
  try {
    return Run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "event_load: %s\n", e.what());
    return 1;
  }
}
