#include "support/redis_daemon.hpp"

namespace homectl::test {

using nlohmann::json;

std::vector<FakeResponse> changing_answers(int count) {
  std::vector<FakeResponse> answers;
  for (int i = 0; i < count; ++i) {
    answers.push_back(FakeResponse::json(R"({"n":)" + std::to_string(i) + "}"));
  }
  return answers;
}

json redis_daemon_config(const std::string& redis_url, const FakeUpstream& up, bool required,
                         json redis_extra) {
  json redis = {{"url", redis_url},
                {"required", required},
                {"prefix", "hc:"},
                {"connect_timeout", "1s"},
                {"command_timeout", "500ms"}};
  redis.update(redis_extra);
  return json{{"redis", redis},
              {"sources",
               {{"meter",
                 {{"url", up.url("/m")},
                  {"ttl", "1s"},
                  {"refresh", "1s"},
                  {"stale_while_revalidate", "2s"},
                  {"stale_if_error", "1h"},
                  {"timeout", "1s"},
                  {"retries", 0}}}}}};
}

int status_of(const DaemonProcess& daemon, const std::string& path) {
  const auto r = request(daemon.port(), "GET", path, {}, {}, 2s);
  return r ? r->status : 0;
}

std::string metrics_of(const DaemonProcess& daemon) {
  const auto r = request(daemon.port(), "GET", "/metrics", {}, {}, 2s);
  return r && r->status == 200 ? r->body : std::string();
}

json redis_check(const DaemonProcess& daemon) {
  const auto r = request(daemon.port(), "GET", "/health", {}, {}, 2s);
  if (!r) {
    return nullptr;
  }
  const auto body = json::parse(r->body, nullptr, false);
  if (!body.is_object() || !body.contains("checks") ||
      !body["checks"].contains("redis:connection")) {
    return nullptr;
  }
  return body["checks"]["redis:connection"][0];
}

} // namespace homectl::test
