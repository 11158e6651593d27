#include "homectl/redis/subscriber.hpp"

#include "session.hpp"

namespace homectl::redis {

Subscriber::Subscriber(boost::asio::any_io_executor executor, Endpoint endpoint,
                       MessageHandler on_message, ClientOptions options)
    : m_session(std::make_shared<detail::Session>(std::move(executor), std::move(endpoint),
                                                  std::move(options),
                                                  detail::Session::Role::subscriber)) {
  m_session->set_message_handler(std::move(on_message));
}

Subscriber::~Subscriber() {
  close();
}

Subscriber::Subscriber(Subscriber&&) noexcept = default;

Subscriber& Subscriber::operator=(Subscriber&& other) noexcept {
  if (this != &other) {
    close();
    m_session = std::move(other.m_session);
  }
  return *this;
}

void Subscriber::subscribe(std::vector<std::string> channels) {
  m_session->subscribe(std::move(channels));
}

void Subscriber::start() {
  m_session->start();
}

void Subscriber::close() {
  if (m_session) {
    m_session->close();
  }
}

bool Subscriber::up() const {
  return m_session && m_session->up();
}

ClientStats Subscriber::stats() const {
  return m_session ? m_session->stats() : ClientStats{};
}

} // namespace homectl::redis
