#include "homectl/http/openapi.hpp"

#include "homectl/build_info.hpp"

#include <nlohmann/json.hpp>

namespace homectl::http {
namespace {

// The whole API in one literal, so reviewing it is reading it. Responses that
// every route may give (400, 401, 404, 405, 413, 429, 431) share components.
constexpr const char* k_document = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "homectl",
    "summary": "One reliable hub for a home server's data sources",
    "license": {"name": "MIT", "identifier": "MIT"}
  },
  "paths": {
    "/live": {
      "get": {
        "summary": "Liveness: 200 while the event loop turns",
        "tags": ["probes"],
        "responses": {
          "200": {"description": "The process is alive",
                  "content": {"text/plain": {"schema": {"type": "string"}, "example": "ok\n"}}}
        }
      }
    },
    "/ready": {
      "get": {
        "summary": "Readiness: 200 for pass/warn, 503 for fail or while draining",
        "tags": ["probes"],
        "responses": {
          "200": {"$ref": "#/components/responses/Health"},
          "503": {"$ref": "#/components/responses/Health"}
        }
      }
    },
    "/health": {
      "get": {
        "summary": "The full health report: version, uptime and every check",
        "tags": ["probes"],
        "responses": {
          "200": {"$ref": "#/components/responses/Health"},
          "503": {"$ref": "#/components/responses/Health"}
        }
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics (text format 0.0.4)",
        "tags": ["probes"],
        "responses": {
          "200": {"description": "Metrics",
                  "content": {"text/plain; version=0.0.4; charset=utf-8": {
                    "schema": {"type": "string"},
                    "example": "# HELP homectl_http_connections Open client connections.\n# TYPE homectl_http_connections gauge\nhomectl_http_connections 1\n"}}}
        }
      }
    },
    "/diagnostics": {
      "get": {
        "summary": "Build, uptime, effective configuration (redacted), limiter and connection state",
        "tags": ["operations"],
        "security": [{"bearer": []}, {}],
        "responses": {
          "200": {"description": "Diagnostics",
                  "content": {"application/json": {"schema": {"type": "object"},
                    "example": {"build": {"version": "0.1.0"}, "uptime_s": 12.5,
                                "connections": {"open": 1, "in_flight": 1},
                                "draining": false}}}},
          "401": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document",
        "tags": ["operations"],
        "responses": {
          "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/v1/sources": {
      "get": {
        "summary": "Every source: state, age, ttl, last success and error, breaker, values",
        "tags": ["sources"],
        "responses": {
          "200": {"description": "Sources",
                  "content": {"application/json": {"schema": {"type": "object"},
                    "example": {"sources": [{"name": "weather", "url": "https://api.example/forecast", "command": null,
                                             "state": "fresh", "age_s": 12, "ttl_s": 300,
                                             "values": {"temperature": 21.5}}]}}}},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/v1/sources/{name}": {
      "get": {
        "summary": "The cached body with the upstream Content-Type, ETag, Age and Cache-Status",
        "tags": ["sources"],
        "parameters": [{"$ref": "#/components/parameters/Name"},
                       {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "The cached body",
                  "headers": {"ETag": {"schema": {"type": "string"}},
                              "Age": {"schema": {"type": "integer"}},
                              "Cache-Status": {"schema": {"type": "string"}}},
                  "content": {"*/*": {"schema": {}, "example": {"temperature": 21.5}}}},
          "304": {"description": "Not modified (If-None-Match matched)"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "502": {"$ref": "#/components/responses/Problem"},
          "503": {"$ref": "#/components/responses/Problem"},
          "504": {"$ref": "#/components/responses/Problem"}
        }
      }
    },
    "/v1/sources/{name}/refresh": {
      "post": {
        "summary": "Refresh a source now (coalesced); ?wait=5s waits for the outcome",
        "tags": ["sources"],
        "security": [{"bearer": []}, {}],
        "parameters": [{"$ref": "#/components/parameters/Name"},
                       {"name": "wait", "in": "query", "schema": {"type": "string"}, "example": "5s"}],
        "responses": {
          "200": {"description": "The refresh outcome",
                  "content": {"application/json": {"schema": {"type": "object"},
                    "example": {"source": "weather", "outcome": "ok", "status": 200, "duration_ms": 84, "changed": true}}}},
          "202": {"description": "Refresh started"},
          "401": {"$ref": "#/components/responses/Problem"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/v1/sources/{name}/history": {
      "get": {
        "summary": "The last 60 fetch outcomes of a source",
        "tags": ["sources"],
        "parameters": [{"$ref": "#/components/parameters/Name"}],
        "responses": {
          "200": {"description": "Fetch history",
                  "content": {"application/json": {"schema": {"type": "object"},
                    "example": {"source": "weather", "entries": [{"at": "2026-11-26T10:00:00Z", "duration_ms": 84, "status": 200, "outcome": "ok"}]}}}},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/v1/events": {
      "get": {
        "summary": "Server-Sent Events: source changes, as published on Redis",
        "tags": ["sources"],
        "responses": {
          "200": {"description": "An event stream",
                  "content": {"text/event-stream": {"schema": {"type": "string"},
                    "example": "event: source.updated\ndata: {\"v\":1,\"type\":\"source.updated\",\"source\":\"weather\",\"etag\":\"\\\"abc\\\"\",\"at\":\"2026-11-26T10:00:00Z\"}\n\n"}}},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/v1/history": {
      "get": {
        "summary": "In-memory history: the series kept, or one series over a time range",
        "description": "Without `series`: what is recorded (interval, retention, memory) and every series kept. With `series`: that series (for every source, or the one named) over the last `since`, one point per `step`: `[unix_s, mean]`, and for `value` series `[unix_s, mean, min, max]`. A step with nothing recorded is null, not zero. Steps are aligned to multiples of the step; an answer holds at most 100000 points, the step grows to fit. Counters are per-second rates. Lost on restart.",
        "tags": ["history"],
        "parameters": [
          {"name": "series", "in": "query", "schema": {"type": "string", "enum": ["requests", "errors", "latency_p95", "cache_hit_ratio", "fetches", "failures", "fetch_duration", "age", "value"]}},
          {"name": "source", "in": "query", "schema": {"type": "string"}, "description": "Only this source's series"},
          {"name": "value", "in": "query", "schema": {"type": "string"}, "description": "Only this value (series=value)"},
          {"name": "since", "in": "query", "schema": {"type": "string", "default": "history.retention"}, "example": "24h"},
          {"name": "step", "in": "query", "schema": {"type": "string", "default": "history.interval"}, "example": "5m"}
        ],
        "responses": {
          "200": {"description": "The series list, or the series asked for",
                  "content": {"application/json": {"schema": {"type": "object"},
                    "examples": {
                      "list": {"value": {"enabled": true, "interval_s": 60, "retention_s": 172800, "bytes": 3145728,
                        "series": [{"name": "requests", "labels": {}, "unit": "1/s", "help": "HTTP requests answered per second"},
                                   {"name": "value", "labels": {"source": "weather", "value": "temperature"}, "unit": "", "help": "a number from the source's values; min and max over the interval"}]}},
                      "series": {"value": {"series": [{"name": "value", "labels": {"source": "weather", "value": "temperature"}, "unit": "", "step_s": 300,
                        "points": [[1796205600, 20.5, 20.1, 20.9], [1796205900, null, null, null]]}]}}}}}},
          "400": {"$ref": "#/components/responses/Problem"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/": {
      "get": {
        "summary": "The status page (one self-contained HTML page)",
        "tags": ["ui"],
        "responses": {
          "200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}},
          "304": {"description": "Not modified (If-None-Match holds the ETag)"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/app.css": {
      "get": {
        "summary": "The status page's stylesheet",
        "tags": ["ui"],
        "responses": {
          "200": {"description": "text/css", "content": {"text/css": {"schema": {"type": "string"}}}},
          "304": {"description": "Not modified (If-None-Match holds the ETag)"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/app.js": {
      "get": {
        "summary": "The status page's script",
        "tags": ["ui"],
        "responses": {
          "200": {"description": "text/javascript", "content": {"text/javascript": {"schema": {"type": "string"}}}},
          "304": {"description": "Not modified (If-None-Match holds the ETag)"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/favicon.svg": {
      "get": {
        "summary": "The status page's icon",
        "tags": ["ui"],
        "responses": {
          "200": {"description": "image/svg+xml", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
          "304": {"description": "Not modified (If-None-Match holds the ETag)"},
          "404": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer",
                 "description": "Required for POST routes and /diagnostics when server.api_token is set"}
    },
    "parameters": {
      "Name": {"name": "name", "in": "path", "required": true,
               "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"}, "example": "weather"}
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                       "status": {"type": "integer"}, "detail": {"type": "string"}},
        "required": ["type", "title", "status"]
      },
      "Health": {
        "type": "object",
        "description": "draft-inadarei-api-health-check",
        "properties": {"status": {"enum": ["pass", "warn", "fail"]}, "version": {"type": "string"},
                       "output": {"type": "string"}, "time": {"type": "string"},
                       "checks": {"type": "object"}},
        "required": ["status"]
      }
    },
    "responses": {
      "Problem": {
        "description": "An error",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"},
          "example": {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no route for GET /v1/nope"}}}
      },
      "TooManyRequests": {
        "description": "Rate limited",
        "headers": {"Retry-After": {"schema": {"type": "integer"}},
                    "RateLimit": {"schema": {"type": "string"}, "example": "\"default\";r=0;t=2"},
                    "RateLimit-Policy": {"schema": {"type": "string"}, "example": "\"default\";q=60;w=60"}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"},
          "example": {"type": "about:blank", "title": "Too Many Requests", "status": 429,
                      "detail": "rate limit 'default' exceeded for this client; retry in 2 s"}}}
      },
      "Health": {
        "description": "Health report",
        "content": {"application/health+json": {"schema": {"$ref": "#/components/schemas/Health"},
          "example": {"status": "pass", "version": "0.1.0", "time": "2026-11-26T10:00:00.000Z",
                      "checks": {"uptime": [{"componentType": "system", "observedValue": 12.5, "observedUnit": "s", "status": "pass"}]}}}}
      }
    }
  }
})json";

} // namespace

const nlohmann::json& openapi_document() {
  static const nlohmann::json document = [] {
    auto doc = nlohmann::json::parse(k_document);
    doc["info"]["version"] = build::k_version;
    return doc;
  }();
  return document;
}

std::shared_ptr<const std::string> openapi_text() {
  static const auto text = std::make_shared<const std::string>(openapi_document().dump(2));
  return text;
}

} // namespace homectl::http
