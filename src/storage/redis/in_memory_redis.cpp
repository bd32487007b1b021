#include "storage/redis/in_memory_redis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/errors.h"
#include "storage/redis/in_memory_redis_state.h"

namespace cinerec {

// ---- ManualClock ----

std::chrono::steady_clock::time_point ManualClock::Now() const {
  std::lock_guard lock(mutex_);
  return now_;
}
void ManualClock::Advance(std::chrono::milliseconds delta) {
  std::lock_guard lock(mutex_);
  now_ += delta;
}
std::function<std::chrono::steady_clock::time_point()> ManualClock::AsFunction() {
  return [this] { return Now(); };
}

// ---- helpers ----

namespace redis_fake {

RedisReply Ok() {
  return {RedisReply::Type::kStatus, 0, "OK", {}};
}
RedisReply Int(std::int64_t value) {
  return {RedisReply::Type::kInteger, value, {}, {}};
}
RedisReply Bulk(std::string value) {
  return {RedisReply::Type::kString, 0, std::move(value), {}};
}
RedisReply Nil() {
  return {};
}
RedisReply Error(std::string message) {
  return {RedisReply::Type::kError, 0, std::move(message), {}};
}
RedisReply Array(std::vector<RedisReply> elements) {
  return {RedisReply::Type::kArray, 0, {}, std::move(elements)};
}
RedisReply WrongType() {
  return Error("WRONGTYPE Operation against a key holding the wrong kind of value");
}
RedisReply NotInteger() {
  return Error("ERR value is not an integer or out of range");
}
RedisReply NotFloat() {
  return Error("ERR value is not a valid float");
}
RedisReply SyntaxError() {
  return Error("ERR syntax error");
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool ParseInt(const std::string& text, std::int64_t& value) {
  if (text.empty() || text.size() > 20 || text[0] == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseScore(const std::string& text, double& value) {
  std::string lower = Lower(text);
  if (lower == "inf" || lower == "+inf") {
    value = HUGE_VAL;
    return true;
  }
  if (lower == "-inf") {
    value = -HUGE_VAL;
    return true;
  }
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && !std::isnan(value);
}

std::string FormatScore(double score) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  // Redis 7.0 prints integral scores without a fraction and everything else with %.17g.
  if (score == std::floor(score) && std::fabs(score) < 1e17)
    return fmt::format("{}", static_cast<long long>(score));
  return fmt::format("{:.17g}", score);
}

bool NormalizeRange(std::int64_t start, std::int64_t stop, std::size_t size, std::size_t& from,
                    std::size_t& to) {
  auto len = static_cast<std::int64_t>(size);
  if (start < 0) start = std::max<std::int64_t>(start + len, 0);
  if (stop < 0) stop += len;
  if (start > stop || start >= len) return false;
  if (stop >= len) stop = len - 1;
  from = static_cast<std::size_t>(start);
  to = static_cast<std::size_t>(stop);
  return true;
}

}  // namespace redis_fake

redis_fake::Entry* InMemoryRedis::State::Find(const std::string& key) {
  auto it = keys.find(key);
  if (it == keys.end()) return nullptr;
  if (it->second.expires_at && *it->second.expires_at <= now) {
    keys.erase(it);
    return nullptr;
  }
  return &it->second;
}

// ---- dispatch ----

namespace {

using namespace redis_fake;

RedisReply PingCommand(InMemoryRedis::State&, const RedisCommand& args) {
  if (args.size() == 2) return Bulk(args[1]);
  if (args.size() > 2) return Error("ERR wrong number of arguments for 'ping' command");
  return {RedisReply::Type::kStatus, 0, "PONG", {}};
}

RedisReply FlushDb(InMemoryRedis::State& state, const RedisCommand&) {
  state.keys.clear();
  return Ok();
}

const CommandTable& Commands() {
  static const CommandTable table = [] {
    CommandTable t;
    t["ping"] = {PingCommand, -1};
    t["flushdb"] = {FlushDb, -1};
    AddKeyCommands(t);
    AddCollectionCommands(t);
    AddSortedSetCommands(t);
    return t;
  }();
  return table;
}

RedisReply Dispatch(InMemoryRedis::State& state, const RedisCommand& args) {
  if (args.empty()) return Error("ERR empty command");
  std::string name = Lower(args[0]);
  auto it = Commands().find(name);
  if (it == Commands().end()) {
    std::string shown;
    for (std::size_t i = 1; i < args.size() && i < 4; ++i)
      shown += "'" + args[i] + "' ";
    return Error(fmt::format("ERR unknown command '{}', with args beginning with: {}", args[0], shown));
  }
  int arity = it->second.arity;
  auto argc = static_cast<int>(args.size());
  if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity))
    return Error(fmt::format("ERR wrong number of arguments for '{}' command", name));
  state.now = state.clock();
  return it->second.handler(state, args);
}

}  // namespace

InMemoryRedis::InMemoryRedis(Clock clock) : state_(std::make_unique<State>()) {
  state_->clock = std::move(clock);
}
InMemoryRedis::~InMemoryRedis() = default;

void InMemoryRedis::CheckAvailable() const {
  if (!available_) throw StoreError("redis", "in-memory redis is unavailable (simulated outage)");
}

RedisReply InMemoryRedis::Command(const RedisCommand& args) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  return Dispatch(*state_, args);
}

std::vector<RedisReply> InMemoryRedis::Pipeline(const std::vector<RedisCommand>& commands) {
  std::lock_guard lock(mutex_);
  CheckAvailable();
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (const auto& command : commands)
    replies.push_back(Dispatch(*state_, command));
  return replies;
}

void InMemoryRedis::Ping() {
  std::lock_guard lock(mutex_);
  CheckAvailable();
}

void InMemoryRedis::SetAvailable(bool available) {
  std::lock_guard lock(mutex_);
  available_ = available;
}

std::size_t InMemoryRedis::KeyCount() {
  std::lock_guard lock(mutex_);
  state_->now = state_->clock();
  std::size_t count = 0;
  for (const auto& [key, entry] : state_->keys)
    count += !entry.expires_at || *entry.expires_at > state_->now;
  return count;
}

}  // namespace cinerec
