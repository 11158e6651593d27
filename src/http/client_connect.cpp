// Opening the client's connections within the deadline: the DNS lookup, the
// TCP connect, and for https the TLS context and handshake.
#include "client_impl.hpp"

#include "homectl/config/values.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace homectl::http {

using tcp = boost::asio::ip::tcp;
using detail::Connection;
using detail::Exchange;
using detail::failure;
using detail::io_failure;

Result<std::shared_ptr<ssl::context>> Client::Impl::context_for(const ClientOptions& options) {
  std::lock_guard lock(mutex);
  auto key =
      std::make_pair(options.tls_verify, options.tls_verify ? options.ca_file : std::string{});
  if (auto it = contexts.find(key); it != contexts.end()) {
    return it->second;
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (options.tls_verify) {
    if (options.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(options.ca_file, ec);
    }
    if (ec) {
      return make_error(options.ca_file.empty()
                            ? "tls: cannot load the system CA store: " + ec.message()
                            : "tls: ca_file \"" + options.ca_file + "\": cannot load (" +
                                  ec.message() + ")");
    }
    ctx->set_verify_mode(ssl::verify_peer);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  contexts.emplace(key, ctx);
  return ctx;
}

namespace {

// A step toward a connection: what it produced, or the failed response the
// exchange ends with.
template <typename T>
using Step = Result<T, ClientResponse>;

// Looks the host up within the deadline. Asio's resolver cannot abandon a
// getaddrinfo() in progress (cancel() only takes effect when it returns), so
// the lookup runs on its own and this waits for whichever comes first: its
// answer or the deadline. A late answer lands in the shared state and is
// dropped.
asio::awaitable<Step<tcp::resolver::results_type>> resolve(const Exchange& x) {
  struct Lookup {
    explicit Lookup(const asio::any_io_executor& e) : resolver(e), done(e) {}
    tcp::resolver resolver;
    asio::steady_timer done;
    boost::system::error_code ec;
    tcp::resolver::results_type endpoints;
    bool finished = false;
  };
  const auto executor = co_await asio::this_coro::executor;
  auto lookup = std::make_shared<Lookup>(executor);
  lookup->done.expires_at(x.deadline);
  lookup->resolver.async_resolve(
      x.url.host, std::to_string(x.url.port),
      [lookup](boost::system::error_code ec, tcp::resolver::results_type endpoints) {
        lookup->ec = ec;
        lookup->endpoints = std::move(endpoints);
        lookup->finished = true;
        lookup->done.cancel();
      });
  co_await lookup->done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!lookup->finished) {
    co_return failure(ClientError::timeout,
                      "dns: timed out after " + config::format_duration(x.budget));
  }
  if (lookup->ec) {
    co_return failure(ClientError::connect, "dns: " + x.url.host + ": " + lookup->ec.message());
  }
  co_return lookup->endpoints;
}

// A TCP connection to the first endpoint that accepts, within the deadline.
asio::awaitable<Step<beast::tcp_stream>> open_tcp(const Exchange& x,
                                                  const tcp::resolver::results_type& endpoints) {
  const auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  stream.expires_at(x.deadline);
  auto [ec, endpoint] =
      co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  (void)endpoint;
  if (ec) {
    ClientResponse r = io_failure(x, "connect", ec);
    if (r.error == ClientError::protocol) {
      r.error = ClientError::connect;
    }
    co_return r;
  }
  co_return std::move(stream);
}

// Why a TLS handshake failed, most specific first: the deadline, a
// certificate for another host, a chain OpenSSL refused, anything else.
ClientResponse handshake_failure(const Exchange& x, boost::system::error_code ec,
                                 long verify_result, bool host_mismatch) {
  ClientResponse r = io_failure(x, "tls handshake", ec);
  if (r.error == ClientError::timeout) {
    return r;
  }
  if (host_mismatch) {
    return failure(ClientError::tls, "tls: certificate verify failed: the certificate does not "
                                     "match host \"" +
                                         x.url.host + "\"");
  }
  if (verify_result != X509_V_OK) {
    return failure(ClientError::tls, std::string("tls: certificate verify failed: ") +
                                         X509_verify_cert_error_string(verify_result));
  }
  return failure(ClientError::tls, "tls handshake: " + ec.message());
}

// The TLS session over `stream`: SNI, and with tls_verify the chain and the
// host name checked.
asio::awaitable<Step<std::unique_ptr<Connection>>>
handshake(const Exchange& x, std::shared_ptr<ssl::context> context, beast::tcp_stream stream) {
  auto connection = std::make_unique<Connection>();
  connection->context = std::move(context);
  connection->tls =
      std::make_unique<ssl::stream<beast::tcp_stream>>(std::move(stream), *connection->context);
  auto& tls = *connection->tls;
  // SNI carries names only; RFC 6066 forbids IP literals there.
  if (!x.url.host_is_ip() &&
      SSL_set_tlsext_host_name(tls.native_handle(), x.url.host.c_str()) != 1) {
    co_return failure(ClientError::tls, "tls: cannot set the server name (SNI)");
  }
  auto host_mismatch = std::make_shared<bool>(false);
  if (x.options.tls_verify) {
    tls.set_verify_callback([verify = ssl::host_name_verification(x.url.host),
                             host_mismatch](bool preverified, ssl::verify_context& vctx) mutable {
      bool ok = verify(preverified, vctx);
      // Only the leaf (depth 0) is checked against the host name; a failing
      // chain is reported by OpenSSL's own verify result.
      if (preverified && !ok && X509_STORE_CTX_get_error_depth(vctx.native_handle()) == 0) {
        *host_mismatch = true;
      }
      return ok;
    });
  }
  auto [ec] =
      co_await tls.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  if (ec) {
    co_return handshake_failure(x, ec, SSL_get_verify_result(tls.native_handle()), *host_mismatch);
  }
  co_return std::move(connection);
}

} // namespace

// Opens a connection (DNS, TCP, TLS) within the deadline.
asio::awaitable<Result<std::unique_ptr<Connection>, ClientResponse>>
Client::Impl::connect(const Exchange& x) {
  if (SteadyClock::now() >= x.deadline) {
    co_return failure(ClientError::timeout, "timed out after " + config::format_duration(x.budget));
  }
  auto endpoints = co_await resolve(x);
  if (!endpoints) {
    co_return std::move(endpoints).error();
  }
  auto stream = co_await open_tcp(x, *endpoints);
  if (!stream) {
    co_return std::move(stream).error();
  }
  if (!x.url.tls) {
    auto connection = std::make_unique<Connection>();
    connection->plain = std::make_unique<beast::tcp_stream>(std::move(*stream));
    co_return std::move(connection);
  }
  auto context = context_for(x.options);
  if (!context) {
    co_return failure(ClientError::tls, context.error().message);
  }
  auto shared_context = std::move(*context);
  co_return co_await handshake(x, std::move(shared_context), std::move(*stream));
}

} // namespace homectl::http
