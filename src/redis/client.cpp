#include "homectl/redis/client.hpp"

#include "session.hpp"

namespace homectl::redis {

Client::Client(boost::asio::any_io_executor executor, Endpoint endpoint, ClientOptions options)
    : m_session(std::make_shared<detail::Session>(std::move(executor), std::move(endpoint),
                                                  std::move(options),
                                                  detail::Session::Role::command)) {}

Client::~Client() {
  close();
}

Client::Client(Client&&) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close();
    m_session = std::move(other.m_session);
  }
  return *this;
}

void Client::start() {
  if (m_session) {
    m_session->start();
  }
}

void Client::close() {
  if (m_session) {
    m_session->close();
  }
}

boost::asio::awaitable<Result<Reply>>
Client::command(std::vector<std::string> args, std::optional<std::chrono::milliseconds> timeout) {
  return m_session->call(std::move(args), timeout, detail::Session::Sender::client);
}

bool Client::up() const {
  return m_session && m_session->up();
}

ClientStats Client::stats() const {
  return m_session ? m_session->stats() : ClientStats{};
}

const Endpoint& Client::endpoint() const {
  return m_session->endpoint();
}

} // namespace homectl::redis
