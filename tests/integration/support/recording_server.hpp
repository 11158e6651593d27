#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

// A real HTTP server on a free 127.0.0.1 port that records every request and
// answers with scripted replies: the fake daemon, ntfy, Gotify and webhook
// receiver of the integration tests.
namespace homectl::testing {

struct RecordedRequest {
  std::string method;
  std::string path;                           // without the query
  std::string query;                          // "a=1&b=2" as received, decoded
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;

  std::string header(const std::string& name) const;
};

struct Reply {
  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds delay{0}; // wait before answering (timeouts)
};

class RecordingServer {
public:
  using Handler = std::function<Reply(const RecordedRequest&)>;

  RecordingServer();
  ~RecordingServer();
  RecordingServer(const RecordingServer&) = delete;
  RecordingServer& operator=(const RecordingServer&) = delete;

  int port() const { return m_port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

  // Answers `method path` with `handler` (replaces an earlier one).
  void handle(const std::string& method, const std::string& path, Handler handler);
  // Answers `method path` always with `reply`.
  void reply(const std::string& method, const std::string& path, Reply reply);

  std::vector<RecordedRequest> requests() const;
  std::vector<RecordedRequest> requests_to(const std::string& path) const;
  void clear();

  // Waits until at least `count` requests arrived; false on timeout.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout);

private:
  std::unique_ptr<httplib::Server> m_server;
  std::thread m_thread;
  int m_port = 0;
  mutable std::mutex m_mutex;
  std::condition_variable m_arrived;
  std::map<std::string, Handler> m_handlers;
  std::vector<RecordedRequest> m_requests;
};

} // namespace homectl::testing
