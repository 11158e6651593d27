#include "homectl/health/checks.hpp"

#include <gtest/gtest.h>

namespace homectl::health {
namespace {

TEST(HealthChecks, WorstStatusWinsAndReadinessFilters) {
  Checks checks;
  checks.add("server", [] { return std::vector<Check>{{"server:draining", Status::pass}}; });
  checks.add(
      "redis",
      [] {
        Check c{"redis:connection", Status::warn, "connection refused", "datastore"};
        c.observed_value = 12;
        c.observed_unit = "ms";
        return std::vector<Check>{c};
      },
      true);
  checks.add(
      "extra",
      [] {
        return std::vector<Check>{{"extra:x", Status::fail, "broken"}};
      },
      false);

  const auto ready = checks.evaluate(true);
  EXPECT_EQ(ready.status, Status::warn);
  EXPECT_EQ(ready.checks.size(), 2U);
  EXPECT_EQ(ready.output(), "redis:connection: connection refused");

  const auto full = checks.evaluate(false);
  EXPECT_EQ(full.status, Status::fail);
  const auto doc = full.to_json();
  EXPECT_EQ(doc["status"], "fail");
  EXPECT_EQ(doc["checks"]["redis:connection"][0]["observedValue"], 12);
  EXPECT_EQ(doc["checks"]["redis:connection"][0]["observedUnit"], "ms");
  EXPECT_EQ(doc["checks"]["redis:connection"][0]["componentType"], "datastore");
  EXPECT_EQ(doc["checks"]["extra:x"][0]["output"], "broken");
}

} // namespace
} // namespace homectl::health
