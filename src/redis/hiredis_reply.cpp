// Converting hiredis reply trees into owning Reply values.
#include "homectl/redis/hiredis_reply.hpp"

#include <hiredis/hiredis.h>

namespace homectl::redis {

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
