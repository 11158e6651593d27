// Fuzzes request routing in memory: an arbitrary request target goes through
// the router (with the daemon's route shapes), query parameter lookup and
// percent-decoding. No sockets; handlers are never run.
#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/util/url.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

homectl::http::Router make_router() {
  using namespace homectl::http;
  Router router;
  const auto add = [&router](Method method, std::string pattern) {
    Route route;
    route.method = method;
    route.pattern = std::move(pattern);
    router.add(std::move(route));
  };
  add(Method::get, "/live");
  add(Method::get, "/ready");
  add(Method::get, "/health");
  add(Method::get, "/metrics");
  add(Method::get, "/v1/sources");
  add(Method::get, "/v1/sources/{name}");
  add(Method::get, "/v1/sources/{name}/history");
  add(Method::post, "/v1/sources/{name}/refresh");
  add(Method::get, "/v1/events");
  add(Method::get, "/{page}/{name}");
  return router;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace homectl::http;
  static const Router router = make_router();
  if (size == 0) {
    return 0;
  }
  // First byte: the method; the rest: the request target as received.
  static constexpr Method k_methods[] = {Method::get,     Method::head,  Method::post,
                                         Method::put,     Method::patch, Method::del,
                                         Method::options, Method::other};
  const Method method = k_methods[data[0] % std::size(k_methods)];
  const std::string_view target(reinterpret_cast<const char*>(data + 1), size - 1);

  Request request;
  request.method = method;
  request.target = std::string(target);
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  request.query =
      question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));

  const Match match = router.match(method, request.path);
  if (match.route != nullptr) {
    (void)match.params.get("name");
    (void)match.params.get("page");
  }
  (void)request.query_param("pick");
  (void)request.query_param("");
  // A parameter named by the first key of the query itself.
  (void)request.query_param(std::string_view(request.query).substr(0, request.query.find('=')));
  (void)homectl::util::percent_decode(target);
  (void)homectl::util::percent_decode(request.query);
  (void)method_from_string(target);
  return 0;
}
