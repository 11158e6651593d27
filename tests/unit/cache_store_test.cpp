#include "homectl/cache/single_flight.hpp"
#include "homectl/cache/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace homectl::cache {
namespace {

std::shared_ptr<const Entry> sized(std::size_t body_bytes) {
  auto e = std::make_shared<Entry>();
  e->body = std::make_shared<const std::string>(body_bytes, 'x');
  return e;
}

TEST(CacheStore, CountsBytesAndEntries) {
  Store store(1000);
  auto a = std::make_shared<Slot>("a");
  store.attach(a);
  EXPECT_TRUE(store.put(a, sized(100)).empty());
  EXPECT_EQ(store.bytes(), 100u);
  EXPECT_EQ(store.entries(), 1u);
  store.put(a, sized(300)); // replaces
  EXPECT_EQ(store.bytes(), 300u);
  EXPECT_EQ(store.entries(), 1u);
  store.detach(a);
  EXPECT_EQ(store.bytes(), 0u);
  EXPECT_EQ(store.entries(), 0u);
  EXPECT_FALSE(a->peek());
}

TEST(CacheStore, EvictsLeastRecentlyUsedUntilItFits) {
  Store store(1000);
  auto a = std::make_shared<Slot>("a");
  auto b = std::make_shared<Slot>("b");
  auto c = std::make_shared<Slot>("c");
  store.attach(a);
  store.attach(b);
  store.attach(c);
  store.put(a, sized(400));
  store.put(b, sized(400));
  EXPECT_TRUE(store.use(*a)); // a is now newer than b
  EXPECT_EQ(store.put(c, sized(400)), std::vector<std::string>{"b"});
  EXPECT_TRUE(a->peek());
  EXPECT_FALSE(b->peek());
  EXPECT_TRUE(c->peek());
  EXPECT_EQ(store.bytes(), 800u);
  EXPECT_EQ(store.set_max_bytes(500), std::vector<std::string>{"a"});
  EXPECT_EQ(store.bytes(), 400u);
}

TEST(CacheStore, AnEntryLargerThanTheLimitIsNotKept) {
  Store store(100);
  auto a = std::make_shared<Slot>("a");
  auto b = std::make_shared<Slot>("b");
  store.attach(a);
  store.attach(b);
  store.put(a, sized(50));
  EXPECT_EQ(store.put(b, sized(200)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store.bytes(), 0u);
  EXPECT_EQ(store.entries(), 0u);
}

TEST(CacheStore, DetachedSlotsAreIgnored) {
  Store store(100);
  auto a = std::make_shared<Slot>("a");
  EXPECT_TRUE(store.put(a, sized(10)).empty());
  EXPECT_FALSE(a->peek());
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(CacheFlight, WaitersShareOneResultAndTimeOutOnTheirOwn) {
  boost::asio::io_context ctx;
  Flight<int> flight(ctx.get_executor());
  std::vector<std::optional<int>> got;
  for (int i = 0; i < 3; ++i) {
    boost::asio::co_spawn(
        ctx,
        [&]() -> boost::asio::awaitable<void> {
          got.push_back(co_await flight.wait(std::chrono::hours(1)));
        },
        boost::asio::detached);
  }
  std::optional<std::optional<int>> impatient;
  boost::asio::co_spawn(
      ctx,
      [&]() -> boost::asio::awaitable<void> {
        impatient = co_await flight.wait(std::chrono::milliseconds(1));
      },
      boost::asio::detached);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!impatient && std::chrono::steady_clock::now() < deadline) {
    ctx.run_one_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(impatient);
  EXPECT_FALSE(*impatient);
  EXPECT_EQ(flight.waiting(), 3u);
  flight.complete(42);
  ctx.restart();
  ctx.poll();
  EXPECT_EQ(got, (std::vector<std::optional<int>>{42, 42, 42}));
  EXPECT_TRUE(flight.done());
}

} // namespace
} // namespace homectl::cache
