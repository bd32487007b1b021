// InMemoryRedis: strings, keys and expiry.
#include <fmt/format.h>

#include <limits>

#include "storage/redis/in_memory_redis_state.h"

namespace cinerec::redis_fake {
namespace {

using State = InMemoryRedis::State;
using std::chrono::milliseconds;

RedisReply Get(State& state, const RedisCommand& args) {
  Entry* entry = state.Find(args[1]);
  if (entry == nullptr) return Nil();
  const auto* text = std::get_if<std::string>(&entry->value);
  return text ? Bulk(*text) : WrongType();
}

RedisReply SetCommand(State& state, const RedisCommand& args) {
  bool nx = false, xx = false, keep_ttl = false;
  std::optional<milliseconds> ttl;
  for (std::size_t i = 3; i < args.size(); ++i) {
    std::string option = Lower(args[i]);
    if (option == "nx") {
      nx = true;
    } else if (option == "xx") {
      xx = true;
    } else if (option == "keepttl") {
      keep_ttl = true;
    } else if ((option == "ex" || option == "px") && i + 1 < args.size() && !ttl) {
      std::int64_t amount = 0;
      if (!ParseInt(args[++i], amount)) return NotInteger();
      if (amount <= 0 || amount > std::numeric_limits<std::int64_t>::max() / 1000)
        return Error("ERR invalid expire time in 'set' command");
      ttl = option == "ex" ? milliseconds(amount * 1000) : milliseconds(amount);
    } else {
      return SyntaxError();
    }
  }
  if ((nx && xx) || (keep_ttl && ttl)) return SyntaxError();
  Entry* existing = state.Find(args[1]);
  if ((nx && existing) || (xx && !existing)) return Nil();
  std::optional<TimePoint> expires_at;
  if (ttl) expires_at = state.now + *ttl;
  if (keep_ttl && existing) expires_at = existing->expires_at;
  state.keys[args[1]] = Entry{args[2], expires_at};
  return Ok();
}

RedisReply Del(State& state, const RedisCommand& args) {
  std::int64_t removed = 0;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (state.Find(args[i])) removed += static_cast<std::int64_t>(state.keys.erase(args[i]));
  }
  return Int(removed);
}

RedisReply Exists(State& state, const RedisCommand& args) {
  std::int64_t count = 0;
  for (std::size_t i = 1; i < args.size(); ++i)
    count += state.Find(args[i]) != nullptr;
  return Int(count);
}

RedisReply ExpireIn(State& state, const RedisCommand& args, std::int64_t unit_ms) {
  std::int64_t amount = 0;
  if (!ParseInt(args[2], amount)) return NotInteger();
  if (args.size() > 3) return Error("ERR Unsupported option " + args[3]);
  if (amount > std::numeric_limits<std::int64_t>::max() / 1000 / unit_ms)
    return Error(fmt::format("ERR invalid expire time in '{}' command", Lower(args[0])));
  Entry* entry = state.Find(args[1]);
  if (entry == nullptr) return Int(0);
  if (amount <= 0) {
    state.keys.erase(args[1]);  // a TTL in the past deletes the key, as in Redis
  } else {
    entry->expires_at = state.now + milliseconds(amount * unit_ms);
  }
  return Int(1);
}
RedisReply Expire(State& state, const RedisCommand& args) {
  return ExpireIn(state, args, 1000);
}
RedisReply PExpire(State& state, const RedisCommand& args) {
  return ExpireIn(state, args, 1);
}

std::int64_t RemainingMs(State& state, const std::string& key) {
  Entry* entry = state.Find(key);
  if (entry == nullptr) return -2;
  if (!entry->expires_at) return -1;
  return std::chrono::duration_cast<milliseconds>(*entry->expires_at - state.now).count();
}
RedisReply Ttl(State& state, const RedisCommand& args) {
  std::int64_t ms = RemainingMs(state, args[1]);
  return Int(ms < 0 ? ms : (ms + 500) / 1000);  // Redis rounds to the nearest second
}
RedisReply PTtl(State& state, const RedisCommand& args) {
  return Int(RemainingMs(state, args[1]));
}

RedisReply IncrementBy(State& state, const std::string& key, std::int64_t delta) {
  Entry* entry = state.Find(key);
  std::int64_t value = 0;
  if (entry != nullptr) {
    const auto* text = std::get_if<std::string>(&entry->value);
    if (text == nullptr) return WrongType();
    if (!ParseInt(*text, value)) return NotInteger();
  }
  if ((delta > 0 && value > std::numeric_limits<std::int64_t>::max() - delta)
      || (delta < 0 && value < std::numeric_limits<std::int64_t>::min() - delta))
    return Error("ERR increment or decrement would overflow");
  value += delta;
  if (entry != nullptr)
    entry->value = std::to_string(value);  // INCR keeps the TTL
  else
    state.keys[key] = Entry{std::to_string(value), std::nullopt};
  return Int(value);
}
RedisReply Incr(State& state, const RedisCommand& args) {
  return IncrementBy(state, args[1], 1);
}
RedisReply IncrBy(State& state, const RedisCommand& args) {
  std::int64_t delta = 0;
  if (!ParseInt(args[2], delta)) return NotInteger();
  return IncrementBy(state, args[1], delta);
}

}  // namespace

void AddKeyCommands(CommandTable& table) {
  table["get"] = {Get, 2};
  table["set"] = {SetCommand, -3};
  table["del"] = {Del, -2};
  table["unlink"] = {Del, -2};
  table["exists"] = {Exists, -2};
  table["expire"] = {Expire, -3};
  table["pexpire"] = {PExpire, -3};
  table["ttl"] = {Ttl, 2};
  table["pttl"] = {PTtl, 2};
  table["incr"] = {Incr, 2};
  table["incrby"] = {IncrBy, 3};
}

}  // namespace cinerec::redis_fake
