// Cost of the inbound limiter per request when its client table is full:
// a new client (the case an attacker with many addresses produces) and a
// client already in the table. Drives InboundLimiter through its public
// interface with a manual clock, so the buckets never refill and the table
// stays full; prints the CPU time per check (the thread's own, so other work
// on a shared machine moves it less than wall-clock time).
//
//   homectl_limiter_bench [new-client checks]   (default 200000)

#include "homectl/http/inbound_limiter.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

using namespace homectl;

// Nanoseconds of CPU time this thread has used.
double cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

config::LimitsConfig limits() {
  config::LimitsConfig l;
  // 60/min with a burst of 10: one request leaves a bucket that is not full,
  // so nothing expires while the clock stands still.
  l.default_class = {config::Rate{60, config::Duration{60'000}}, 10};
  return l;
}

// Distinct clients as the limiter sees them (limiter_key): IPv4 addresses
// 10.x.y.z, or IPv6 /64 prefixes.
std::string v4_client(std::size_t i) {
  return "10." + std::to_string((i >> 16) & 0xff) + "." + std::to_string((i >> 8) & 0xff) + "." +
         std::to_string(i & 0xff);
}

std::string v6_client(std::size_t i) {
  char text[64];
  std::snprintf(text, sizeof text, "2001:db8:%zx:%zx::/64", (i >> 16) & 0xffff, i & 0xffff);
  return text;
}

template <typename MakeClient>
void run(const char* family, MakeClient make_client, std::size_t new_checks) {
  util::ManualClock clock;
  http::InboundLimiter limiter(clock, limits());
  const std::size_t full = http::InboundLimiter::k_max_buckets;

  std::vector<std::string> clients;
  clients.reserve(full + new_checks);
  for (std::size_t i = 0; i < full + new_checks; ++i) {
    clients.push_back(make_client(i));
  }
  for (std::size_t i = 0; i < full; ++i) {
    limiter.check(clients[i], http::RouteClass::read);
  }
  if (limiter.tracked() != full) {
    std::fprintf(stderr, "table not full: %zu of %zu\n", limiter.tracked(), full);
    std::exit(1);
  }

  // Known clients: the most recent ones, still in the table.
  const std::size_t known_checks = 1'000'000;
  double start = cpu_ns();
  for (std::size_t i = 0; i < known_checks; ++i) {
    limiter.check(clients[full - 1 - (i % 1024)], http::RouteClass::read);
  }
  const double known_ns = (cpu_ns() - start) / static_cast<double>(known_checks);

  // New clients: every check adds one and evicts one.
  start = cpu_ns();
  for (std::size_t i = 0; i < new_checks; ++i) {
    limiter.check(clients[full + i], http::RouteClass::read);
  }
  const double new_ns = (cpu_ns() - start) / static_cast<double>(new_checks);
  if (limiter.tracked() != full) {
    std::fprintf(stderr, "table size changed: %zu\n", limiter.tracked());
    std::exit(1);
  }
  std::printf("%-4s table %zu  new client: %10.0f ns/check (%zu checks)  known client: %6.0f "
              "ns/check\n",
              family, full, new_ns, new_checks, known_ns);
}

} // namespace

int main(int argc, char** argv) {
  const std::size_t new_checks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  if (new_checks == 0) {
    std::fprintf(stderr, "usage: homectl_limiter_bench [new-client checks > 0]\n");
    return 2;
  }
  run("IPv4", v4_client, new_checks);
  run("IPv6", v6_client, new_checks);
  return 0;
}
