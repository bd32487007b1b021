// InMemoryRedis: sorted sets.
#include <algorithm>
#include <cmath>
#include <iterator>

#include "storage/redis/in_memory_redis_state.h"

namespace cinerec::redis_fake {

void ZSet::Put(const std::string& member, double score) {
  auto [it, inserted] = scores.try_emplace(member, score);
  if (!inserted) {
    order.erase({it->second, member});
    it->second = score;
  }
  order.emplace(score, member);
}

bool ZSet::Remove(const std::string& member) {
  auto it = scores.find(member);
  if (it == scores.end()) return false;
  order.erase({it->second, member});
  scores.erase(it);
  return true;
}

namespace {

using State = InMemoryRedis::State;

RedisReply ZAdd(State& state, const RedisCommand& args) {
  bool nx = false, xx = false, ch = false;
  std::size_t i = 2;
  for (; i < args.size(); ++i) {
    std::string option = Lower(args[i]);
    if (option == "nx") {
      nx = true;
    } else if (option == "xx") {
      xx = true;
    } else if (option == "ch") {
      ch = true;
    } else {
      break;
    }
  }
  if (nx && xx) return Error("ERR XX and NX options at the same time are not compatible");
  if (i >= args.size() || (args.size() - i) % 2 != 0) return SyntaxError();
  std::vector<std::pair<double, const std::string*>> items;
  for (; i < args.size(); i += 2) {
    double score = 0;
    if (!ParseScore(args[i], score)) return NotFloat();  // validated before anything changes
    items.emplace_back(score, &args[i + 1]);
  }
  bool wrong_type = false;
  ZSet* zset = state.FindOrCreate<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::int64_t added = 0, changed = 0;
  for (const auto& [score, member] : items) {
    auto it = zset->scores.find(*member);
    bool exists = it != zset->scores.end();
    if ((nx && exists) || (xx && !exists)) continue;
    if (exists && it->second == score) continue;
    added += !exists;
    changed += 1;
    zset->Put(*member, score);
  }
  state.EraseIfEmpty(args[1], *zset);  // ZADD XX on a new key creates nothing
  return Int(ch ? changed : added);
}

RedisReply ZIncrBy(State& state, const RedisCommand& args) {
  double delta = 0;
  if (!ParseScore(args[2], delta)) return NotFloat();
  bool wrong_type = false;
  ZSet* zset = state.FindOrCreate<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  auto it = zset->scores.find(args[3]);
  double score = (it == zset->scores.end() ? 0.0 : it->second) + delta;
  if (std::isnan(score)) {
    state.EraseIfEmpty(args[1], *zset);
    return Error("ERR resulting score is not a number (NaN)");
  }
  zset->Put(args[3], score);
  return Bulk(FormatScore(score));
}

RedisReply ZScore(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  ZSet* zset = state.FindAs<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  if (zset == nullptr) return Nil();
  auto it = zset->scores.find(args[2]);
  return it == zset->scores.end() ? Nil() : Bulk(FormatScore(it->second));
}

RedisReply ZRem(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  ZSet* zset = state.FindAs<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  if (zset == nullptr) return Int(0);
  std::int64_t removed = 0;
  for (std::size_t i = 2; i < args.size(); ++i)
    removed += zset->Remove(args[i]);
  state.EraseIfEmpty(args[1], *zset);
  return Int(removed);
}

RedisReply Range(State& state, const RedisCommand& args, bool reverse) {
  std::int64_t start = 0, stop = 0;
  if (!ParseInt(args[2], start) || !ParseInt(args[3], stop)) return NotInteger();
  bool with_scores = false;
  for (std::size_t i = 4; i < args.size(); ++i) {
    std::string option = Lower(args[i]);
    if (option == "withscores") {
      with_scores = true;
    } else if (option == "rev" && Lower(args[0]) == "zrange") {
      reverse = true;
    } else {
      return SyntaxError();  // BYSCORE, BYLEX and LIMIT are not implemented by the fake
    }
  }
  bool wrong_type = false;
  ZSet* zset = state.FindAs<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::vector<RedisReply> out;
  std::size_t from = 0, to = 0;
  if (zset == nullptr || !NormalizeRange(start, stop, zset->order.size(), from, to)) return Array({});
  auto emit = [&](const std::pair<double, std::string>& item) {
    out.push_back(Bulk(item.second));
    if (with_scores) out.push_back(Bulk(FormatScore(item.first)));
  };
  if (reverse) {
    auto it = std::next(zset->order.rbegin(), static_cast<std::ptrdiff_t>(from));
    for (std::size_t n = from; n <= to; ++n, ++it)
      emit(*it);
  } else {
    auto it = std::next(zset->order.begin(), static_cast<std::ptrdiff_t>(from));
    for (std::size_t n = from; n <= to; ++n, ++it)
      emit(*it);
  }
  return Array(std::move(out));
}
RedisReply ZRange(State& state, const RedisCommand& args) {
  return Range(state, args, false);
}
RedisReply ZRevRange(State& state, const RedisCommand& args) {
  return Range(state, args, true);
}

RedisReply ZRemRangeByRank(State& state, const RedisCommand& args) {
  std::int64_t start = 0, stop = 0;
  if (!ParseInt(args[2], start) || !ParseInt(args[3], stop)) return NotInteger();
  bool wrong_type = false;
  ZSet* zset = state.FindAs<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::size_t from = 0, to = 0;
  if (zset == nullptr || !NormalizeRange(start, stop, zset->order.size(), from, to)) return Int(0);
  auto first = std::next(zset->order.begin(), static_cast<std::ptrdiff_t>(from));
  auto last = std::next(first, static_cast<std::ptrdiff_t>(to - from + 1));
  for (auto it = first; it != last; ++it)
    zset->scores.erase(it->second);
  zset->order.erase(first, last);
  state.EraseIfEmpty(args[1], *zset);
  return Int(static_cast<std::int64_t>(to - from + 1));
}

RedisReply ZCard(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  ZSet* zset = state.FindAs<ZSet>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  return Int(zset == nullptr ? 0 : static_cast<std::int64_t>(zset->scores.size()));
}

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]. Inputs may be sorted
// sets or sets (score 1); missing keys are empty. The destination is replaced (losing any TTL) or, when the
// union is empty, deleted.
RedisReply ZUnionStore(State& state, const RedisCommand& args) {
  std::int64_t count = 0;
  if (!ParseInt(args[2], count)) return NotInteger();
  if (count < 1) return Error("ERR at least 1 input key is needed for 'zunionstore' command");
  const std::size_t first_key = 3;
  if (static_cast<std::uint64_t>(count) > args.size() - first_key) return SyntaxError();
  const auto keys = static_cast<std::size_t>(count);
  std::vector<double> weights(keys, 1.0);
  enum class Aggregate { kSum, kMin, kMax } aggregate = Aggregate::kSum;
  for (std::size_t i = first_key + keys; i < args.size();) {
    std::string option = Lower(args[i]);
    if (option == "weights" && args.size() - i - 1 >= keys) {
      for (std::size_t k = 0; k < keys; ++k) {
        if (!ParseScore(args[i + 1 + k], weights[k])) return Error("ERR weight value is not a float");
      }
      i += 1 + keys;
    } else if (option == "aggregate" && i + 1 < args.size()) {
      std::string how = Lower(args[i + 1]);
      if (how == "sum") {
        aggregate = Aggregate::kSum;
      } else if (how == "min") {
        aggregate = Aggregate::kMin;
      } else if (how == "max") {
        aggregate = Aggregate::kMax;
      } else {
        return SyntaxError();
      }
      i += 2;
    } else {
      return SyntaxError();
    }
  }
  std::unordered_map<std::string, double> result;
  auto add = [&](const std::string& member, double score, double weight) {
    double value = weight * score;
    if (std::isnan(value)) value = 0;  // inf x 0, as Redis
    auto [it, inserted] = result.try_emplace(member, value);
    if (inserted) return;
    switch (aggregate) {
      case Aggregate::kSum:
        it->second += value;
        if (std::isnan(it->second)) it->second = 0;  // inf + -inf
        break;
      case Aggregate::kMin:
        it->second = std::min(it->second, value);
        break;
      case Aggregate::kMax:
        it->second = std::max(it->second, value);
        break;
    }
  };
  for (std::size_t k = 0; k < keys; ++k) {
    Entry* entry = state.Find(args[first_key + k]);
    if (entry == nullptr) continue;
    if (const auto* zset = std::get_if<ZSet>(&entry->value)) {
      for (const auto& [member, score] : zset->scores)
        add(member, score, weights[k]);
    } else if (const auto* set = std::get_if<Set>(&entry->value)) {
      for (const auto& member : *set)
        add(member, 1.0, weights[k]);
    } else {
      return WrongType();
    }
  }
  state.keys.erase(args[1]);
  if (result.empty()) return Int(0);
  ZSet stored;
  for (const auto& [member, score] : result)
    stored.Put(member, score);
  state.keys[args[1]] = Entry{std::move(stored), std::nullopt};
  return Int(static_cast<std::int64_t>(result.size()));
}

}  // namespace

void AddSortedSetCommands(CommandTable& table) {
  table["zadd"] = {ZAdd, -4};
  table["zincrby"] = {ZIncrBy, 4};
  table["zscore"] = {ZScore, 3};
  table["zrem"] = {ZRem, -3};
  table["zrange"] = {ZRange, -4};
  table["zrevrange"] = {ZRevRange, -4};
  table["zremrangebyrank"] = {ZRemRangeByRank, 4};
  table["zcard"] = {ZCard, 2};
  table["zunionstore"] = {ZUnionStore, -4};
}

}  // namespace cinerec::redis_fake
