#include "homectl/cache/entry.hpp"
#include "homectl/cache/windows.hpp"

#include <gtest/gtest.h>

namespace homectl::cache {
namespace {

using namespace std::chrono_literals;

TEST(CacheEntry, StrongEtagIsAQuotedHashOfTheBody) {
  EXPECT_EQ(strong_etag(""), "\"e3b0c44298fc1c149afbf4c8996fb924\"");
  EXPECT_EQ(strong_etag("abc"), "\"ba7816bf8f01cfea414140de5dae2223\"");
  EXPECT_NE(strong_etag("a"), strong_etag("b"));
}

TEST(CacheEntry, MakeEntryChargesBodyAndStrings) {
  const auto e = make_entry("hello", "text/plain", 200, {}, {});
  EXPECT_EQ(*e->body, "hello");
  EXPECT_EQ(e->etag, strong_etag("hello"));
  EXPECT_EQ(e->size(), 5u + 10u + 34u);
}

TEST(CacheWindows, ClassifiesAgesAgainstRfc5861Windows) {
  const Windows w{60s, 120s, 600s};
  EXPECT_EQ(classify(0s, w, false), Freshness::fresh);
  EXPECT_EQ(classify(59s, w, false), Freshness::fresh);
  EXPECT_EQ(classify(60s, w, false), Freshness::stale_while_revalidate);
  EXPECT_EQ(classify(179s, w, false), Freshness::stale_while_revalidate);
  EXPECT_EQ(classify(180s, w, false), Freshness::must_revalidate);
  EXPECT_EQ(classify(659s, w, false), Freshness::must_revalidate);
  EXPECT_EQ(classify(660s, w, false), Freshness::expired);
  // While refreshes fail the whole stale-if-error window serves at once.
  EXPECT_EQ(classify(59s, w, true), Freshness::fresh);
  EXPECT_EQ(classify(61s, w, true), Freshness::stale_if_error);
  EXPECT_EQ(classify(659s, w, true), Freshness::stale_if_error);
  EXPECT_EQ(classify(660s, w, true), Freshness::expired);
  EXPECT_TRUE(servable_on_error(659s, w));
  EXPECT_FALSE(servable_on_error(660s, w));
  EXPECT_EQ(to_string(Freshness::stale_if_error), "stale-if-error");
}

TEST(CacheWindows, FromPolicy) {
  config::FetchPolicy p;
  const auto w = Windows::from(p);
  EXPECT_EQ(w.ttl, p.ttl);
  EXPECT_EQ(w.servable_until(), p.ttl + p.stale_if_error);
}

} // namespace
} // namespace homectl::cache
