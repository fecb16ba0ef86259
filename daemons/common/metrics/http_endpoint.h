// Plain-HTTP endpoint for Prometheus /metrics, /health and a few extra GET handlers, served by
// cpp-httplib in its own thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace orch::metrics {

class MetricsRegistry;

// What a GET handler sees of the request.
struct HttpRequestInfo {
  std::string path;
  std::multimap<std::string, std::string> params;   // query parameters
  std::multimap<std::string, std::string> headers;
};

// What a GET handler answers.
struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// The /health answer: HTTP status and a JSON body.
struct HealthReport {
  int status = 200;
  nlohmann::json body = nlohmann::json{{"status", "ok"}};
};

using HealthCheck = std::function<HealthReport()>;
using GetHandler = std::function<HttpResponse(const HttpRequestInfo&)>;

class HttpEndpoint {
 public:
  // Serves registry at GET /metrics. port 0 picks a free port (see port() after start()).
  HttpEndpoint(std::string host, int port, const MetricsRegistry& registry);
  ~HttpEndpoint();  // stop()s
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Replaces the /health callback (default: 200 {"status":"ok"}). Safe to call any time.
  void setHealthCheck(HealthCheck check);
  // Adds or replaces the handler for an exact path (must start with '/'; /metrics and /health
  // are reserved). Safe to call any time.
  absl::Status addGetHandler(const std::string& path, GetHandler handler);

  // Binds host:port and starts serving in a background thread. Unavailable if the address is
  // taken or cannot be bound; FailedPrecondition if already started.
  absl::Status start();
  // Stops serving and joins the thread. Idempotent.
  void stop();

  bool running() const;
  // The bound port after a successful start(), else the port given to the constructor.
  int port() const;
  const std::string& host() const { return host_; }

 private:
  class Impl;
  std::string host_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orch::metrics
