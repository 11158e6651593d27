#include "homectl/web/page_routes.hpp"

#include "homectl/web/asset_response.hpp"

#include <map>
#include <memory>
#include <string>

namespace homectl::web {
namespace {

// One shared immutable copy of each asset's bytes, made once, so a response
// never copies the page.
std::shared_ptr<const std::string> shared_body(const Asset& asset) {
  static const auto bodies = [] {
    std::map<std::string_view, std::shared_ptr<const std::string>> out;
    for (const auto& a : all_assets()) {
      out.emplace(a.path, std::make_shared<const std::string>(a.content));
    }
    return out;
  }();
  const auto it = bodies.find(asset.path);
  return it != bodies.end() ? it->second : std::make_shared<const std::string>(asset.content);
}

} // namespace

http::Response page_response(const Asset& asset, const http::Request& request) {
  const auto answer = respond_to_get(asset, request.header("If-None-Match"));
  http::Response response;
  response.status = static_cast<int>(answer.status);
  for (const auto& header : answer.headers) {
    response.headers.push_back({std::string(header.name), std::string(header.value)});
  }
  if (answer.status == 200) {
    response.body = shared_body(asset);
  }
  return response;
}

void add_page_routes(http::Router& router, const UiEnabled& ui_enabled) {
  for (const auto& asset : all_assets()) {
    const Asset* served = &asset; // assets live for the whole program
    router.add(
        {http::Method::get, std::string(asset.path), http::RouteClass::read, false,
         [served, ui_enabled](const http::Request& request,
                              const http::RouteParams&) -> boost::asio::awaitable<http::Response> {
           if (!ui_enabled()) {
             // The same answer as a path with no route at all.
             co_return http::Response::problem(404, "Not Found",
                                               "no route for " +
                                                   std::string(http::to_string(request.method)) +
                                                   " " + request.path);
           }
           co_return page_response(*served, request);
         },
         asset.path == "/" ? "status page" : "status page asset"});
  }
}

} // namespace homectl::web
