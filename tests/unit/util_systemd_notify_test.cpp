#include "homectl/util/systemd_notify.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace homectl::util {
namespace {

using namespace std::chrono_literals;

// Binds a datagram socket at `name` (abstract when it starts with '@').
int bind_datagram(const std::string& name) {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, name.data(), name.size());
  if (name.front() == '@') {
    address.sun_path[0] = '\0';
  }
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  return fd;
}

std::string receive(int fd) {
  char buffer[512];
  const auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

TEST(SystemdNotifier, SendsToAnAbstractSocket) {
  const std::string name = "@homectl-test-" + std::to_string(::getpid());
  const int fd = bind_datagram(name);
  SystemdNotifier notifier(name, 10s);
  ASSERT_TRUE(notifier.enabled());
  notifier.ready("serving on 127.0.0.1:1");
  EXPECT_EQ(receive(fd), "READY=1\nSTATUS=serving on 127.0.0.1:1");
  notifier.reloading();
  const auto reloading = receive(fd);
  EXPECT_TRUE(reloading.starts_with("RELOADING=1\nMONOTONIC_USEC=")) << reloading;
  notifier.stopping("draining");
  EXPECT_EQ(receive(fd), "STOPPING=1\nSTATUS=draining");
  notifier.watchdog();
  EXPECT_EQ(receive(fd), "WATCHDOG=1");
  EXPECT_EQ(notifier.watchdog_interval(), std::chrono::microseconds(5s));
  ::close(fd);
}

TEST(SystemdNotifier, IsANoOpWithoutASocket) {
  SystemdNotifier notifier("", std::nullopt);
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.notify("READY=1"));
  EXPECT_FALSE(notifier.watchdog_interval());
  SystemdNotifier relative("not/absolute", 1s);
  EXPECT_FALSE(relative.enabled());
}

} // namespace
} // namespace homectl::util
