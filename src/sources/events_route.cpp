// GET /v1/events: the event bus as Server-Sent Events. Each stream has its own
// bounded, thread-safe queue filled by the bus callback (on the Service's
// strand) and drained by the connection's coroutine; a stream whose queue
// overflows is too slow and is dropped, so a stuck client never holds up the
// strand or other subscribers.
#include "homectl/sources/routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <memory>

namespace homectl::sources {
namespace {

namespace asio = boost::asio;
using Channel =
    asio::experimental::concurrent_channel<void(boost::system::error_code, std::string)>;

std::string sse_frame(const Event& event) {
  return "event: " + event.type + "\ndata: " + event.to_json() + "\n\n";
}

asio::awaitable<void> run_stream(Service& service, http::EventStream& out) {
  using namespace asio::experimental::awaitable_operators;
  const auto executor = co_await asio::this_coro::executor;
  auto channel = std::make_shared<Channel>(executor, service.options().subscriber_queue);
  const auto id = service.events().subscribe([channel](const Event& event) {
    if (!channel->try_send(boost::system::error_code{}, sse_frame(event))) {
      channel->close(); // too slow (or already gone): drop it
    }
  });
  struct Unsubscribe {
    Service& service;
    EventBus::Id id;
    ~Unsubscribe() { service.events().unsubscribe(id); }
  } unsubscribe{service, id};

  if (!co_await out.send("retry: 3000\n\n")) {
    co_return;
  }
  const auto heartbeat = service.options().heartbeat;
  // Wake at least once a second so a draining server is noticed promptly.
  const auto tick =
      std::min<std::chrono::steady_clock::duration>(heartbeat, std::chrono::seconds(1));
  auto last_sent = std::chrono::steady_clock::now();
  asio::steady_timer timer(executor);
  while (!out.closing()) {
    timer.expires_after(tick);
    auto result = co_await (channel->async_receive(asio::as_tuple(asio::use_awaitable)) ||
                            timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (result.index() == 0) {
      auto [ec, frame] = std::get<0>(std::move(result));
      if (ec || !co_await out.send(std::move(frame))) {
        co_return;
      }
      last_sent = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_sent >= heartbeat) {
      if (!co_await out.send(": heartbeat\n\n")) {
        co_return;
      }
      last_sent = std::chrono::steady_clock::now();
    }
  }
}

} // namespace

http::Route events_route(Service& service) {
  auto streams = std::make_shared<std::atomic<std::size_t>>(0);
  auto handler = [&service, streams](const http::Request&,
                                     const http::RouteParams&) -> asio::awaitable<http::Response> {
    if (streams->fetch_add(1) >= service.options().max_subscribers) {
      streams->fetch_sub(1);
      auto busy =
          http::Response::problem(503, "Too many event streams",
                                  "at most " + std::to_string(service.options().max_subscribers) +
                                      " concurrent /v1/events subscribers");
      busy.set_header("Retry-After", "5");
      co_return busy;
    }
    // Released when the response (and its stream function) is gone.
    std::shared_ptr<void> seat(nullptr, [streams](void*) { streams->fetch_sub(1); });
    http::Response response;
    response.status = 200;
    response.headers.push_back({"Content-Type", "text/event-stream"});
    response.headers.push_back({"Cache-Control", "no-store"});
    response.headers.push_back({"X-Accel-Buffering", "no"});
    response.stream = [&service, seat](http::EventStream& out) { return run_stream(service, out); };
    co_return response;
  };
  return {http::Method::get,      "/v1/events",
          http::RouteClass::read, false,
          std::move(handler),     "change events as Server-Sent Events"};
}

} // namespace homectl::sources
