#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A real loopback HTTP(S) server for tests, standing in for the APIs and
// devices homectl fetches. It runs its own io_context on its own thread on a
// free 127.0.0.1 port; each path is scripted with a sequence of answers (the
// n-th request gets the n-th answer, the last one repeats), and every request
// is recorded. Unscripted paths answer 404.
//
//   FakeUpstream up;                                   // or FakeUpstream({.tls = true})
//   up.on("/w", {FakeResponse::status_only(503), FakeResponse::json(R"({"t":1})")});
//   source.url = up.url("/w");
//   ... fetch ...
//   EXPECT_EQ(up.count("/w"), 2);
namespace homectl::test {

// One scripted answer.
struct FakeResponse {
  enum class Kind {
    normal,              // status, headers, body (after `latency`)
    hang,                // read the request, never answer (until the server stops)
    reset_mid_body,      // headers + half the body, then a TCP reset
    drip_feed,           // headers, then one body byte every `drip_interval`
    huge_body,           // a chunked body of `huge_size` bytes, streamed without buffering
    garbage_status_line, // "SPLAT 2OO maybe", then close
    flood,               // the status line and headers, then `body` verbatim (e.g. the
                         // start of a chunk extension), then about `huge_size` bytes of
                         // `flood_pattern` repeated, streamed until the client goes away
  };
  Kind kind = Kind::normal;
  int status = 200;
  std::string body = "{}";
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers; // extra, e.g. Retry-After, Location
  std::chrono::milliseconds latency{0};                     // wait before answering
  std::chrono::milliseconds drip_interval{100};
  std::size_t huge_size = 0;
  std::string flood_pattern = "a"; // repeated for Kind::flood
  bool close_after = false;        // close the connection after answering, without saying so
                                   // (a keep-alive connection the server dropped)

  static FakeResponse json(std::string body, int status = 200);
  static FakeResponse status_only(int status);
  static FakeResponse with_header(int status, std::string name, std::string value);
  static FakeResponse of(Kind kind);
};

// What the fake received.
struct RecordedRequest {
  std::string method;
  std::string target;                         // path and query as sent
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
};

class FakeUpstream {
public:
  struct Options {
    bool tls = false; // serve HTTPS with a certificate for 127.0.0.1 and localhost
    // TLS: present a certificate (same CA) for "elsewhere.example" only, to
    // test host-name verification.
    bool wrong_host = false;
  };

  // Starts listening; throws std::runtime_error when it cannot (e.g. TLS
  // without the openssl tool: check tls_unavailable() first and skip).
  FakeUpstream();
  explicit FakeUpstream(Options options);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  std::uint16_t port() const;
  // "http(s)://127.0.0.1:<port><path>"
  std::string url(std::string_view path) const;
  // Scripts a path (without query). Replaces any earlier script and resets its count.
  void on(const std::string& path, std::vector<FakeResponse> sequence);

  // Requests received for a path so far.
  int count(const std::string& path) const;
  std::vector<RecordedRequest> requests(const std::string& path) const;
  // The most requests that were being handled at the same moment (all paths).
  int max_in_flight() const;
  // TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests).
  int connections() const;
  // Filler bytes that Kind::flood answers got onto the wire so far (all paths).
  std::size_t flooded() const;

  // TLS: the PEM of the CA that signed the server certificate, and of an
  // unrelated CA (for "wrong CA" tests). Empty without TLS.
  std::string ca_file() const;
  std::string other_ca_file() const;

  // Why TLS fakes cannot run here (no openssl tool), or nullopt when they can.
  static std::optional<std::string> tls_unavailable();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace homectl::test
