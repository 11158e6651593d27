#include "homectl/sources/fetch_attempt.hpp"

#include "homectl/sources/pick.hpp"

#include <algorithm>

namespace homectl::sources {
namespace {

// The metric label of an HTTP answer that is not a success.
std::string_view status_reason(int status) {
  if (status >= 500) {
    return "status_5xx";
  }
  if (status >= 400) {
    return "status_4xx";
  }
  return "status_3xx";
}

// A validator header of the answer, unless it is missing or unreasonably long.
std::string validator(const http::ClientResponse& response, std::string_view name) {
  const auto value = response.header(name);
  if (!value || value->empty() || value->size() > k_max_validator) {
    return {};
  }
  return std::string(*value);
}

cache::Validators validators_of(const http::ClientResponse& response) {
  return {validator(response, "etag"), validator(response, "last-modified")};
}

Attempt classify_not_modified(const http::ClientResponse& response, Conditional conditional) {
  Attempt out;
  out.status = response.status;
  if (conditional == Conditional::no) {
    // Another attempt would get the same answer.
    out.failure = resilience::AttemptFailure::permanent;
    out.error = "upstream answered 304 Not Modified to a request without validators";
    out.reason = "protocol";
    return out;
  }
  out.success = true;
  out.not_modified = true;
  out.validators = validators_of(response);
  return out;
}

Attempt classify_body(http::ClientResponse& response, const config::SourceConfig& source) {
  Attempt out;
  out.status = response.status;
  out.validators = validators_of(response);
  auto body = apply_pick(response.body, source.pick);
  if (!body) {
    // Bad JSON under `pick` will be just as bad on the next attempt.
    out.failure = resilience::AttemptFailure::permanent;
    out.error = body.error().message;
    out.reason = "invalid_body";
    return out;
  }
  out.success = true;
  out.body = std::move(body).value();
  if (!source.pick.empty()) {
    out.content_type = "application/json";
  } else {
    const auto type = response.header("content-type");
    out.content_type = type ? std::string(*type) : "application/octet-stream";
  }
  return out;
}

Attempt classify_answer(http::ClientResponse& response, const config::SourceConfig& source,
                        std::chrono::system_clock::time_point now, Conditional conditional) {
  if (!response.ok()) {
    Attempt out;
    out.failure = to_attempt_failure(response.error);
    out.status = response.status;
    out.error = response.message;
    out.reason = http::to_string(response.error);
    return out;
  }
  if (response.status >= 200 && response.status <= 299) {
    return classify_body(response, source);
  }
  if (response.status == 304) {
    return classify_not_modified(response, conditional);
  }
  Attempt out;
  out.status = response.status;
  out.error = "upstream status " + std::to_string(response.status);
  out.reason = status_reason(response.status);
  if (response.status >= 300 && response.status <= 399 && !source.policy.follow_redirects) {
    out.error += " (redirect not followed: follow_redirects is off)";
  }
  if (response.status == 429 || response.status == 503) {
    if (const auto value = response.header("retry-after")) {
      out.retry_after = resilience::parse_retry_after(*value, now);
    }
  }
  return out;
}

} // namespace

cache::Validators validators_to_send(const config::SourceConfig& source,
                                     const cache::Validators& known) {
  if (!source.policy.revalidate) {
    return {};
  }
  return known;
}

resilience::AttemptFailure to_attempt_failure(http::ClientError error) {
  switch (error) {
  case http::ClientError::none:
    return resilience::AttemptFailure::none;
  case http::ClientError::connect:
    return resilience::AttemptFailure::connect;
  case http::ClientError::timeout:
    return resilience::AttemptFailure::timeout;
  case http::ClientError::tls:
    return resilience::AttemptFailure::tls;
  case http::ClientError::protocol:
    return resilience::AttemptFailure::protocol;
  case http::ClientError::too_large:
    return resilience::AttemptFailure::too_large;
  case http::ClientError::invalid_url:
  case http::ClientError::redirects:
    return resilience::AttemptFailure::permanent;
  }
  return resilience::AttemptFailure::permanent;
}

Attempt classify(http::ClientResponse response, const config::SourceConfig& source,
                 std::chrono::system_clock::time_point now, Conditional conditional) {
  const std::size_t received = response.body.size();
  auto out = classify_answer(response, source, now, conditional);
  out.received_bytes = received;
  return out;
}

void conclude(FetchResult& result, Attempt last) {
  result.status = last.status;
  if (last.success) {
    result.outcome = last.not_modified ? FetchOutcome::not_modified : FetchOutcome::ok;
    result.body = std::move(last.body);
    result.content_type = std::move(last.content_type);
    result.validators = std::move(last.validators);
    return;
  }
  result.outcome = last.failure == resilience::AttemptFailure::timeout ? FetchOutcome::timeout
                                                                       : FetchOutcome::error;
  result.error = std::move(last.error);
  result.reason = last.reason;
  result.retry_after = last.retry_after;
}

std::chrono::milliseconds overall_deadline(const config::FetchPolicy& policy) {
  const auto attempts =
      static_cast<std::chrono::milliseconds::rep>(std::max(0, policy.retries)) + 1;
  return policy.timeout * attempts;
}

std::optional<std::chrono::milliseconds> retry_delay(const Attempt& last, int retries_done,
                                                     const config::FetchPolicy& policy,
                                                     std::chrono::milliseconds remaining,
                                                     const resilience::UniformRandom& random) {
  resilience::RetryState state;
  state.retries_done = retries_done;
  state.max_retries = policy.retries;
  state.failure = last.failure;
  state.status = last.status;
  state.retry_after = last.retry_after;
  state.remaining = remaining;
  return resilience::next_retry_delay(state, policy.retry_backoff, policy.timeout, random);
}

} // namespace homectl::sources
