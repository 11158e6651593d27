#pragma once

#include "homectl/redis/reply.hpp"

struct redisReply;

namespace homectl::redis {

// Converts a hiredis reply tree into an owning Reply (nil for unknown types).
Reply to_reply(const redisReply& reply);

} // namespace homectl::redis
