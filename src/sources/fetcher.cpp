#include "homectl/sources/fetcher.hpp"

namespace homectl::sources {

std::string_view to_string(FetchOutcome outcome) {
  switch (outcome) {
  case FetchOutcome::ok:
    return "ok";
  case FetchOutcome::not_modified:
    return "not_modified";
  case FetchOutcome::error:
    return "error";
  case FetchOutcome::timeout:
    return "timeout";
  case FetchOutcome::breaker_open:
    return "breaker_open";
  case FetchOutcome::rate_limited:
    return "rate_limited";
  }
  return "error";
}

bool succeeded(FetchOutcome outcome) {
  return outcome == FetchOutcome::ok || outcome == FetchOutcome::not_modified;
}

} // namespace homectl::sources
