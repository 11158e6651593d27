#include "homectl/watchdog/notifier.hpp"
#include "homectl/watchdog/notifier_label.hpp"

#include <gtest/gtest.h>

using namespace homectl;
using namespace homectl::watchdog;
using config::NotifierType;

TEST(NotifierUrl, TakesTheUserinfoOutAndDecodesIt) {
  auto u = split_notifier_url("https://me:p%40ss:w@rd@Hooks.Example:8443/api/webhook/abc?token=x");
  EXPECT_EQ(u.url, "https://Hooks.Example:8443/api/webhook/abc?token=x");
  EXPECT_EQ(u.username, "me");
  EXPECT_EQ(u.password, "p@ss:w@rd");
  EXPECT_EQ(u.host, "hooks.example:8443");
}

TEST(NotifierUrl, WithoutUserinfoOrPort) {
  auto u = split_notifier_url("https://ntfy.sh/my-secret-topic");
  EXPECT_EQ(u.url, "https://ntfy.sh/my-secret-topic");
  EXPECT_EQ(u.username, "");
  EXPECT_EQ(u.password, "");
  EXPECT_EQ(u.host, "ntfy.sh");
  EXPECT_EQ(split_notifier_url("http://[::1]:8080?t=1").host, "[::1]:8080");
  EXPECT_EQ(split_notifier_url("http://user@h").username, "user");
  EXPECT_EQ(split_notifier_url("not a url").host, "");
  EXPECT_EQ(split_notifier_url("http://bad host/").host, "");
}

TEST(NotifierLabel, TypePositionAndHostOnly) {
  EXPECT_EQ(notifier_label(NotifierType::webhook, 2,
                           "http://u:pw@ha.lan:8123/api/webhook/secret-id?token=t"),
            "webhook#2 ha.lan:8123");
  EXPECT_EQ(notifier_label(NotifierType::ntfy, 1, "https://ntfy.sh/topic"), "ntfy#1 ntfy.sh");
  EXPECT_EQ(notifier_label(NotifierType::gotify, 1, "https://push.example/"),
            "gotify#1 push.example");
  EXPECT_EQ(notifier_label(NotifierType::command, 1, ""), "command#1");
  EXPECT_EQ(notifier_label(NotifierType::heartbeat, 1, "https://hc-ping.com/5d2f-secret-uuid"),
            "heartbeat#1 hc-ping.com");
}

TEST(NotifierLabel, RecognisesItsOwnShapeOnly) {
  EXPECT_TRUE(is_notifier_label("webhook#2 ha.lan:8123"));
  EXPECT_TRUE(is_notifier_label("command#1"));
  EXPECT_TRUE(is_notifier_label("ntfy#12 [::1]:80"));
  EXPECT_FALSE(is_notifier_label("webhook http://ha.lan/api/webhook/x"));
  EXPECT_FALSE(is_notifier_label("command /usr/bin/notify --token x"));
  EXPECT_FALSE(is_notifier_label("webhook#0 h"));
  EXPECT_FALSE(is_notifier_label("webhook#1 "));
  EXPECT_FALSE(is_notifier_label("webhook#1 h/path"));
  EXPECT_FALSE(is_notifier_label("pager#1 h"));
}

TEST(NotifierLabel, NumbersEachTypeFromOne) {
  std::vector<config::NotifierConfig> configs(5);
  configs[0] = {NotifierType::webhook, "http://a.lan/x", "", {}, {}, 0, {}, {}};
  configs[1] = {NotifierType::ntfy, "https://ntfy.sh/t", "", {}, {}, 0, {}, {}};
  configs[2] = {NotifierType::webhook, "http://b.lan:81/y", "", {}, {}, 0, {}, {}};
  configs[3] = {NotifierType::command, "", "", {}, {"/bin/true", "secret"}, 0, {}, {}};
  configs[4] = {NotifierType::command, "", "", {}, {"/bin/true"}, 0, {}, {}};
  auto notifiers = make_notifiers(configs);
  ASSERT_EQ(notifiers.size(), 5U);
  EXPECT_EQ(notifiers[0]->key(), "webhook#1 a.lan");
  EXPECT_EQ(notifiers[1]->key(), "ntfy#1 ntfy.sh");
  EXPECT_EQ(notifiers[2]->key(), "webhook#2 b.lan:81");
  EXPECT_EQ(notifiers[3]->key(), "command#1");
  EXPECT_EQ(notifiers[4]->key(), "command#2");
}
