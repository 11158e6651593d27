#include "support/fake_upstream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace homectl::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
namespace fs = std::filesystem;

FakeResponse FakeResponse::json(std::string body, int status) {
  FakeResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

FakeResponse FakeResponse::status_only(int status) {
  FakeResponse r;
  r.status = status;
  r.body = "{\"status\":" + std::to_string(status) + "}";
  return r;
}

FakeResponse FakeResponse::with_header(int status, std::string name, std::string value) {
  FakeResponse r = status_only(status);
  r.headers.emplace_back(std::move(name), std::move(value));
  return r;
}

FakeResponse FakeResponse::of(Kind kind) {
  FakeResponse r;
  r.kind = kind;
  return r;
}

namespace {

// A CA, a server certificate it signed (127.0.0.1, localhost) and an unrelated
// CA, made once per process with the openssl tool in a temporary directory.
struct TestPki {
  fs::path dir;
  std::string error;

  TestPki() {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
      error = "the openssl command-line tool is not installed";
      return;
    }
    std::string tmpl = (fs::temp_directory_path() / "homectl-pki-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      error = "cannot create a temporary directory";
      return;
    }
    dir = tmpl;
    std::ofstream(dir / "server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                         "basicConstraints=CA:FALSE\n"
                                         "extendedKeyUsage=serverAuth\n";
    std::ofstream(dir / "wrong.ext") << "subjectAltName=DNS:elsewhere.example\n"
                                        "basicConstraints=CA:FALSE\n";
    const std::string d = dir.string();
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string ca_ext =
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
    const std::vector<std::string> commands = {
        "openssl req -x509" + key + " -keyout " + d + "/ca.key -out " + d +
            "/ca.pem -days 2 -subj '/CN=homectl test CA'" + ca_ext,
        "openssl req -x509" + key + " -keyout " + d + "/other.key -out " + d +
            "/other.pem -days 2 -subj '/CN=homectl other CA'" + ca_ext,
        "openssl req" + key + " -keyout " + d + "/server.key -out " + d +
            "/server.csr -subj '/CN=localhost'",
        "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
            "/ca.key -CAcreateserial -out " + d + "/server.pem -days 2 -extfile " + d +
            "/server.ext",
        "openssl req" + key + " -keyout " + d + "/wrong.key -out " + d +
            "/wrong.csr -subj '/CN=elsewhere.example'",
        "openssl x509 -req -in " + d + "/wrong.csr -CA " + d + "/ca.pem -CAkey " + d +
            "/ca.key -CAcreateserial -out " + d + "/wrong.pem -days 2 -extfile " + d + "/wrong.ext",
    };
    for (const auto& command : commands) {
      if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
        error = "openssl failed: " + command;
        return;
      }
    }
  }
  ~TestPki() {
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
};

TestPki& pki() {
  static TestPki instance;
  return instance;
}

std::string path_of(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

} // namespace

std::optional<std::string> FakeUpstream::tls_unavailable() {
  if (!pki().error.empty()) {
    return pki().error;
  }
  return std::nullopt;
}

struct FakeUpstream::Impl {
  // Declared before `io`: sessions still pending when the server stops are
  // destroyed with `io` and touch this state on their way out.
  Options options;
  mutable std::mutex mutex;
  std::map<std::string, std::vector<FakeResponse>> scripts;
  std::map<std::string, std::vector<RecordedRequest>> received;
  int in_flight = 0;
  int max_in_flight = 0;
  int connections = 0;
  std::size_t flooded = 0;
  ssl::context tls_context{ssl::context::tls_server};

  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;

  // Records the request and picks its scripted answer.
  FakeResponse begin(const bhttp::request<bhttp::string_body>& req) {
    RecordedRequest rec;
    rec.method = std::string(req.method_string());
    rec.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      rec.headers[name] = std::string(field.value());
    }
    rec.body = req.body();
    const std::string path = path_of(rec.target);
    std::lock_guard lock(mutex);
    auto& list = received[path];
    list.push_back(std::move(rec));
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    auto it = scripts.find(path);
    if (it == scripts.end() || it->second.empty()) {
      return FakeResponse::json("{\"error\":\"no such path\"}", 404);
    }
    const auto& seq = it->second;
    return seq[std::min(list.size() - 1, seq.size() - 1)];
  }

  void end() {
    std::lock_guard lock(mutex);
    --in_flight;
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        co_return;
      }
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    if (!options.tls) {
      co_await serve(socket);
      co_return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), tls_context);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server,
                                                asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      co_await serve(stream);
    }
  }

  template <typename Stream>
  asio::awaitable<void> write_raw(Stream& stream, const std::string& data, bool& ok) {
    auto [ec, n] =
        co_await asio::async_write(stream, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    (void)n;
    ok = !ec;
  }

  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    asio::steady_timer timer(io);
    for (;;) {
      bhttp::request<bhttp::string_body> req;
      auto [ec, n] =
          co_await bhttp::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (ec) {
        co_return;
      }
      FakeResponse r = begin(req);
      struct Done {
        Impl* self;
        ~Done() { self->end(); }
      } done{this};
      if (r.latency.count() > 0) {
        timer.expires_after(r.latency);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      const std::string status_line =
          "HTTP/1.1 " + std::to_string(r.status) + " " +
          std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(r.status))) + "\r\n";
      std::string head = status_line + "Content-Type: " + r.content_type + "\r\n";
      for (const auto& [name, value] : r.headers) {
        head += name + ": " + value + "\r\n";
      }
      bool ok = true;
      auto& lowest = beast::get_lowest_layer(stream);
      switch (r.kind) {
      case FakeResponse::Kind::normal: {
        head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
        co_await write_raw(stream, head + r.body, ok);
        if (!ok || !req.keep_alive() || r.close_after) {
          co_return;
        }
        break;
      }
      case FakeResponse::Kind::hang:
        timer.expires_at(asio::steady_timer::time_point::max());
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return;
      case FakeResponse::Kind::reset_mid_body: {
        std::string body = r.body.size() >= 2 ? r.body : std::string(100, 'x');
        head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        co_await write_raw(stream, head + body.substr(0, body.size() / 2), ok);
        boost::system::error_code ignored;
        lowest.set_option(asio::socket_base::linger(true, 0), ignored);
        lowest.close(ignored);
        co_return;
      }
      case FakeResponse::Kind::drip_feed: {
        head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
        co_await write_raw(stream, head, ok);
        for (std::size_t i = 0; ok && i < r.body.size(); ++i) {
          timer.expires_after(r.drip_interval);
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          co_await write_raw(stream, r.body.substr(i, 1), ok);
        }
        co_return;
      }
      case FakeResponse::Kind::huge_body: {
        head += "Transfer-Encoding: chunked\r\n\r\n";
        co_await write_raw(stream, head, ok);
        const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
        for (std::size_t sent = 0; ok && sent < r.huge_size; sent += 0x10000) {
          co_await write_raw(stream, chunk, ok);
        }
        if (ok) {
          co_await write_raw(stream, std::string("0\r\n\r\n"), ok);
        }
        co_return;
      }
      case FakeResponse::Kind::flood: {
        co_await write_raw(stream, head + r.body, ok);
        std::string block;
        while (block.size() < std::size_t{64} * 1024) {
          block += r.flood_pattern;
        }
        for (std::size_t sent = 0; ok && sent < r.huge_size; sent += block.size()) {
          co_await write_raw(stream, block, ok);
          if (ok) {
            std::lock_guard lock(mutex);
            flooded += block.size();
          }
        }
        co_return;
      }
      case FakeResponse::Kind::garbage_status_line:
        co_await write_raw(stream, std::string("SPLAT 2OO maybe\r\n\r\n"), ok);
        co_return;
      }
    }
  }
};

FakeUpstream::FakeUpstream() : FakeUpstream(Options{}) {}

FakeUpstream::FakeUpstream(Options options) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = options;
  if (options.tls) {
    if (auto why = tls_unavailable()) {
      throw std::runtime_error("FakeUpstream: TLS unavailable: " + *why);
    }
    const std::string name = options.wrong_host ? "wrong" : "server";
    m_impl->tls_context.use_certificate_chain_file((pki().dir / (name + ".pem")).string());
    m_impl->tls_context.use_private_key_file((pki().dir / (name + ".key")).string(),
                                             ssl::context::pem);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  m_impl->acceptor.open(endpoint.protocol());
  m_impl->acceptor.set_option(asio::socket_base::reuse_address(true));
  m_impl->acceptor.bind(endpoint);
  m_impl->acceptor.listen();
  asio::co_spawn(m_impl->io, m_impl->accept_loop(), asio::detached);
  m_impl->thread = std::thread([impl = m_impl.get()] { impl->io.run(); });
}

FakeUpstream::~FakeUpstream() {
  asio::post(m_impl->io, [impl = m_impl.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  m_impl->thread.join();
}

std::uint16_t FakeUpstream::port() const {
  return m_impl->acceptor.local_endpoint().port();
}

std::string FakeUpstream::url(std::string_view path) const {
  return std::string(m_impl->options.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

void FakeUpstream::on(const std::string& path, std::vector<FakeResponse> sequence) {
  std::lock_guard lock(m_impl->mutex);
  m_impl->scripts[path] = std::move(sequence);
  m_impl->received.erase(path);
}

int FakeUpstream::count(const std::string& path) const {
  std::lock_guard lock(m_impl->mutex);
  auto it = m_impl->received.find(path);
  return it == m_impl->received.end() ? 0 : static_cast<int>(it->second.size());
}

std::vector<RecordedRequest> FakeUpstream::requests(const std::string& path) const {
  std::lock_guard lock(m_impl->mutex);
  auto it = m_impl->received.find(path);
  return it == m_impl->received.end() ? std::vector<RecordedRequest>{} : it->second;
}

int FakeUpstream::max_in_flight() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->max_in_flight;
}

int FakeUpstream::connections() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->connections;
}

std::size_t FakeUpstream::flooded() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->flooded;
}

std::string FakeUpstream::ca_file() const {
  return m_impl->options.tls ? (pki().dir / "ca.pem").string() : std::string{};
}

std::string FakeUpstream::other_ca_file() const {
  return m_impl->options.tls ? (pki().dir / "other.pem").string() : std::string{};
}

} // namespace homectl::test
