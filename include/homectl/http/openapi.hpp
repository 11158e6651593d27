#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>

// The OpenAPI 3.1 description of every route homectl serves, kept in one
// place (src/http/openapi.cpp). A test checks that each routed path and method
// appears in it.
namespace homectl::http {

// The document, parsed once.
const nlohmann::json& openapi_document();

// The document serialised, shared so /openapi.json serves it without copying.
std::shared_ptr<const std::string> openapi_text();

} // namespace homectl::http
