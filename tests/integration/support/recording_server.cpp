#include "support/recording_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <stdexcept>

namespace homectl::testing {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

} // namespace

std::string RecordedRequest::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

RecordingServer::RecordingServer() : m_server(std::make_unique<httplib::Server>()) {
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest recorded;
    recorded.method = req.method;
    recorded.path = req.path;
    std::string query;
    for (const auto& [name, value] : req.params) {
      query += (query.empty() ? "" : "&") + name + "=" + value;
    }
    recorded.query = query;
    for (const auto& [name, value] : req.headers) {
      recorded.headers[lower(name)] = value;
    }
    recorded.body = req.body;
    Handler handler;
    {
      std::lock_guard lock(m_mutex);
      m_requests.push_back(recorded);
      auto it = m_handlers.find(req.method + " " + req.path);
      if (it != m_handlers.end()) {
        handler = it->second;
      }
    }
    m_arrived.notify_all();
    Reply reply = handler ? handler(recorded) : Reply{};
    if (reply.delay.count() > 0) {
      std::this_thread::sleep_for(reply.delay);
    }
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) {
      res.set_header(name, value);
    }
    res.set_content(reply.body, reply.content_type);
  };
  m_server->Get(".*", dispatch);
  m_server->Post(".*", dispatch);
  m_server->Put(".*", dispatch);
  m_server->Delete(".*", dispatch);
  m_server->set_keep_alive_max_count(100);
  m_port = m_server->bind_to_any_port("127.0.0.1");
  if (m_port <= 0) {
    throw std::runtime_error("RecordingServer: cannot bind a port on 127.0.0.1");
  }
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!m_server->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

RecordingServer::~RecordingServer() {
  m_server->stop();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void RecordingServer::handle(const std::string& method, const std::string& path, Handler handler) {
  std::lock_guard lock(m_mutex);
  m_handlers[method + " " + path] = std::move(handler);
}

void RecordingServer::reply(const std::string& method, const std::string& path, Reply r) {
  handle(method, path, [r](const RecordedRequest&) { return r; });
}

std::vector<RecordedRequest> RecordingServer::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

std::vector<RecordedRequest> RecordingServer::requests_to(const std::string& path) const {
  std::lock_guard lock(m_mutex);
  std::vector<RecordedRequest> out;
  for (const auto& r : m_requests) {
    if (r.path == path) {
      out.push_back(r);
    }
  }
  return out;
}

void RecordingServer::clear() {
  std::lock_guard lock(m_mutex);
  m_requests.clear();
}

bool RecordingServer::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  return m_arrived.wait_for(lock, timeout, [&] { return m_requests.size() >= count; });
}

} // namespace homectl::testing
