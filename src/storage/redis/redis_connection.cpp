#include "storage/redis/redis_connection.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>

#include "common/errors.h"

namespace cinerec {
namespace {

timeval ToTimeval(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(timeout.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((timeout.count() % 1000) * 1000);
  return tv;
}

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply->elements);
      for (std::size_t i = 0; i < reply->elements; ++i)
        out.elements.push_back(Convert(reply->element[i]));
      break;
    default:  // REDIS_REPLY_NIL
      break;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(void* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

std::string CommandName(const RedisCommand& args) {
  return args.empty() ? std::string("(empty)") : args[0];
}

}  // namespace

RedisConnection::RedisConnection(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout,
                                 const std::string& where)
    : where_(where) {
  context_ = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(timeout));
  if (context_ == nullptr)
    throw StoreError("redis", fmt::format("cannot connect to {}: out of memory", where_));
  if (context_->err != 0) {
    std::string reason = context_->errstr;
    redisFree(context_);
    context_ = nullptr;
    throw StoreError("redis", fmt::format("cannot connect to {}: {}", where_, reason));
  }
  try {
    Setup(endpoint, timeout);
  } catch (...) {
    redisFree(context_);  // the destructor does not run when the constructor throws
    context_ = nullptr;
    throw;
  }
}

void RedisConnection::Setup(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout) {
  // Without a read/write timeout a hung server would block the calling thread forever.
  if (redisSetTimeout(context_, ToTimeval(timeout)) != REDIS_OK) Fail("cannot set the socket timeout");
  redisEnableKeepAlive(context_);
  auto expect_ok = [this](const RedisCommand& command, const char* what) {
    RedisReply reply = Command(command);
    if (reply.is_error()) {
      broken_ = true;
      throw StoreError("redis", fmt::format("{} refused by {}: {}", what, where_, reply.str));
    }
  };
  if (!endpoint.password.empty()) {
    if (endpoint.user.empty())
      expect_ok({"AUTH", endpoint.password}, "AUTH");
    else
      expect_ok({"AUTH", endpoint.user, endpoint.password}, "AUTH");
  }
  if (endpoint.db != 0) expect_ok({"SELECT", std::to_string(endpoint.db)}, "SELECT");
}

RedisConnection::~RedisConnection() {
  if (context_ != nullptr) redisFree(context_);
}

void RedisConnection::Fail(const std::string& what) {
  broken_ = true;
  std::string reason = context_->err != 0 ? context_->errstr : "unknown error";
  // hiredis reports a socket timeout as the strerror of EAGAIN.
  if (context_->err == REDIS_ERR_IO && reason.find("temporarily unavailable") != std::string::npos)
    reason = "timed out";
  throw StoreError("redis", fmt::format("{} on {}: {}", what, where_, reason));
}

void RedisConnection::Append(const RedisCommand& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    argvlen.push_back(arg.size());
  }
  // Lengths make arguments binary-safe (NUL bytes, any encoding).
  if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.data(), argvlen.data())
      != REDIS_OK)
    Fail(CommandName(args) + " could not be queued");
}

RedisReply RedisConnection::ReadReply(const RedisCommand& args) {
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) Fail(CommandName(args) + " failed");
  ReplyPtr reply(raw);
  return Convert(static_cast<const redisReply*>(reply.get()));
}

RedisReply RedisConnection::Command(const RedisCommand& args) {
  if (args.empty()) throw std::invalid_argument("redis: empty command");
  Append(args);
  return ReadReply(args);
}

std::vector<RedisReply> RedisConnection::Pipeline(const std::vector<RedisCommand>& commands) {
  for (const auto& command : commands) {
    if (command.empty()) throw std::invalid_argument("redis: empty command in pipeline");
  }
  // Everything is appended to hiredis' output buffer; the first redisGetReply writes it all at once and
  // the rest of the replies are then read from the socket: one round trip for the whole pipeline.
  for (const auto& command : commands)
    Append(command);
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (const auto& command : commands)
    replies.push_back(ReadReply(command));
  return replies;
}

void RedisConnection::Send(const RedisCommand& args) {
  if (args.empty()) throw std::invalid_argument("redis: empty command");
  Append(args);
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) Fail(CommandName(args) + " could not be sent");
  }
}

std::optional<RedisReply> RedisConnection::Receive(std::chrono::milliseconds wait) {
  void* raw = nullptr;
  // A reply may already be parsed and waiting in hiredis' buffer (several arrive in one read).
  if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) Fail("reading a message failed");
  if (raw == nullptr) {
    pollfd pfd{};
    pfd.fd = context_->fd;
    pfd.events = POLLIN;
    const int ready = ::poll(&pfd, 1, static_cast<int>(wait.count()));
    if (ready == 0 || (ready < 0 && errno == EINTR)) return std::nullopt;
    if (ready < 0) Fail("waiting for a message failed");
    if (redisBufferRead(context_) != REDIS_OK) Fail("reading a message failed");  // also end of stream
    if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) Fail("reading a message failed");
    if (raw == nullptr) return std::nullopt;  // a partial message: the rest comes with a later call
  }
  ReplyPtr reply(raw);
  return Convert(static_cast<const redisReply*>(reply.get()));
}

bool RedisConnection::IsStale() const {
  pollfd pfd{};
  pfd.fd = context_->fd;
  pfd.events = POLLIN;
  int ready = ::poll(&pfd, 1, 0);
  return ready != 0;  // -1: error; 1: EOF, reset or unexpected data
}

}  // namespace cinerec
