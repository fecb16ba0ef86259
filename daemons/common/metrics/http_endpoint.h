// HTTP(S) endpoint for Prometheus /metrics, /health and a few extra GET handlers, served by
// cpp-httplib in its own thread.
//
// Security rules (see docs/operate.md, "Securing the HTTP endpoints"):
// - Plain HTTP is served on loopback addresses only (127.0.0.0/8, ::1, localhost); anywhere else
//   start() refuses unless a certificate and key make it HTTPS (TLS 1.3).
// - With require_client_cert, clients must present a certificate signed by ca_file.
// - With a bearer token, every request except GET/HEAD /health needs
//   "Authorization: Bearer <token>"; others get 401 with "WWW-Authenticate: Bearer".
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

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

// How the endpoint is secured. The default (all empty) is plain HTTP without authentication,
// which start() accepts on loopback addresses only.
struct HttpEndpointOptions {
  std::string cert_file;             // PEM certificate (chain); with key_file: serve HTTPS
  std::string key_file;              // PEM private key matching cert_file
  std::string ca_file;               // PEM CA that client certificates must chain to
  bool require_client_cert = false;  // needs cert_file, key_file and ca_file
  std::string bearer_token;          // non-empty: required on every request but /health

  // True when a certificate or key is given, i.e. the endpoint is meant to serve HTTPS.
  bool tls() const { return !cert_file.empty() || !key_file.empty(); }
};

// True for 127.0.0.0/8, ::1 (also "[::1]" and ::ffff:127.x.y.z) and "localhost" (any case).
// Everything else, including 0.0.0.0, :: and other host names, is not loopback.
bool isLoopbackHost(std::string_view host);

// Everything HttpEndpoint::start() checks before binding (same errors): the options' consistency,
// the loopback rule for plain HTTP on host, and that the certificate, key and CA files load.
// Lets a daemon refuse a bad setup at startup, before it starts anything else.
absl::Status checkHttpEndpointOptions(const std::string& host, const HttpEndpointOptions& options);

using HealthCheck = std::function<HealthReport()>;
using GetHandler = std::function<HttpResponse(const HttpRequestInfo&)>;

class HttpEndpoint {
 public:
  // Serves registry at GET /metrics. port 0 picks a free port (see port() after start()).
  HttpEndpoint(std::string host, int port, const MetricsRegistry& registry);
  // Same, secured by options (see HttpEndpointOptions).
  HttpEndpoint(std::string host, int port, const MetricsRegistry& registry, HttpEndpointOptions options);
  ~HttpEndpoint();  // stop()s
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Replaces the /health callback (default: 200 {"status":"ok"}). Safe to call any time.
  void setHealthCheck(HealthCheck check);
  // Adds or replaces the handler for an exact path (must start with '/'; /metrics and /health
  // are reserved). Safe to call any time.
  absl::Status addGetHandler(const std::string& path, GetHandler handler);

  // Replaces the security options; they take effect at the next start().
  void setOptions(HttpEndpointOptions options);

  // Checks the options, then binds host:port and starts serving in a background thread.
  // Errors, all before anything is bound:
  // - FailedPrecondition if already started, or if plain HTTP is asked for on a non-loopback host;
  // - InvalidArgument for an incomplete TLS setup (cert without key, client certs without CA) or a
  //   bearer token with spaces or control characters;
  // - NotFound / PermissionDenied / InvalidArgument naming the file when a certificate, key or CA
  //   file is missing, unreadable, not PEM, or the key does not match the certificate.
  // Unavailable if the address is taken or cannot be bound.
  absl::Status start();
  // Stops serving and joins the thread. Idempotent.
  void stop();

  bool running() const;
  // The bound port after a successful start(), else the port given to the constructor.
  int port() const;
  const std::string& host() const { return host_; }
  // "https" when the options ask for TLS, else "http".
  std::string scheme() const;

 private:
  class Impl;
  std::string host_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orch::metrics
