// Converting hiredis reply trees into owning Reply values.
#include "homectl/redis/hiredis_reply.hpp"

#include <hiredis/hiredis.h>

#include <new>

namespace homectl::redis {

namespace {

// hiredis' own reply builders: every reader it creates points at one static table.
const redisReplyObjectFunctions& hiredis_functions() {
  static const redisReplyObjectFunctions functions = [] {
    redisReader* reader = redisReaderCreate();
    if (reader == nullptr) {
      throw std::bad_alloc();
    }
    redisReplyObjectFunctions copy = *reader->fn;
    redisReaderFree(reader);
    return copy;
  }();
  return functions;
}

void* create_bounded_array(const redisReadTask* task, int elements) {
  if (elements < 0 || elements > k_max_array_reply) {
    if (auto* refused = static_cast<int*>(task->privdata)) {
      *refused = elements;
    }
    return nullptr; // hiredis fails the reader with REDIS_ERR_OOM
  }
  return hiredis_functions().createArray(task, elements);
}

redisReplyObjectFunctions* bounded_functions() {
  static redisReplyObjectFunctions functions = [] {
    redisReplyObjectFunctions copy = hiredis_functions();
    copy.createArray = &create_bounded_array;
    return copy;
  }();
  return &functions;
}

} // namespace

void limit_array_replies(redisReader& reader, int& refused) {
  reader.fn = bounded_functions();
  reader.privdata = &refused; // copied into every read task
}

Reply to_reply(const redisReply& reply) {
  switch (reply.type) {
  case REDIS_REPLY_STRING:
    return Reply::string(std::string(reply.str, reply.len));
  case REDIS_REPLY_STATUS:
    return Reply::status(std::string(reply.str, reply.len));
  case REDIS_REPLY_ERROR:
    return Reply::error(std::string(reply.str, reply.len));
  case REDIS_REPLY_INTEGER:
    return Reply::integer(reply.integer);
  case REDIS_REPLY_ARRAY: {
    std::vector<Reply> elements;
    elements.reserve(reply.elements);
    for (std::size_t i = 0; i < reply.elements; ++i) {
      elements.push_back(reply.element[i] ? to_reply(*reply.element[i]) : Reply::nil());
    }
    return Reply::array(std::move(elements));
  }
  default:
    return Reply::nil();
  }
}

} // namespace homectl::redis
