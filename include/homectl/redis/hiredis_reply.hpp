#pragma once

#include "homectl/redis/reply.hpp"

struct redisReader;
struct redisReply;

namespace homectl::redis {

// Converts a hiredis reply tree into an owning Reply (nil for unknown types).
Reply to_reply(const redisReply& reply);

// The most elements homectl accepts in one array reply. No command it sends is
// answered with more than a handful.
inline constexpr int k_max_array_reply = 1024;

// hiredis 0.14 allocates an array reply's declared length before any element
// arrives, so "*1500000000\r\n" from a broken or hostile server would make it
// ask for 12 GB. This makes `reader` refuse longer arrays instead: the reply
// fails with hiredis' out-of-memory error and the declared length is stored in
// `refused`, which must outlive the reader.
void limit_array_replies(redisReader& reader, int& refused);

} // namespace homectl::redis
