// Turns a daemon's HTTP security flags (--http-tls, --http-client-certs, --http-token-file) and
// its own TLS files into HttpEndpointOptions, so every daemon spells and checks them the same way.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/metrics/http_endpoint.h"

namespace CLI {
class App;
}

namespace orch::metrics {

// The HTTP security flags as parsed from the command line.
struct HttpSecurityFlags {
  bool tls = false;           // --http-tls: HTTPS with the daemon's own --cert/--key
  bool client_certs = false;  // --http-client-certs: clients need a certificate from --ca
  std::string token_file;     // --http-token-file: bearer token required on all but /health
};

// Registers --http-tls, --http-client-certs and --http-token-file on app, bound to flags.
void addHttpSecurityFlags(CLI::App& app, HttpSecurityFlags& flags);

// Reads a bearer token: the file's first line with surrounding whitespace trimmed.
// NotFound / PermissionDenied naming the path if it cannot be read; FailedPrecondition if other
// users may read or write it (chmod 600 it) or if the token is empty; InvalidArgument if it has
// spaces or control characters.
absl::StatusOr<std::string> loadBearerTokenFile(const std::string& path);

// Builds the endpoint options: cert/key (and ca with client_certs) only when flags.tls, the token
// from flags.token_file when given. InvalidArgument if client_certs is set without tls; the
// errors of loadBearerTokenFile otherwise. Certificate files are checked by HttpEndpoint::start().
absl::StatusOr<HttpEndpointOptions> makeHttpEndpointOptions(const HttpSecurityFlags& flags,
                                                            const std::string& ca_file,
                                                            const std::string& cert_file,
                                                            const std::string& key_file);

// makeHttpEndpointOptions, then checkHttpEndpointOptions against the host of `http_address`
// (host:port; empty = HTTP off, nothing to check): everything a daemon verifies before serving.
// Errors name the flag: "--http <address>: ...".
absl::StatusOr<HttpEndpointOptions> httpEndpointOptionsFor(const HttpSecurityFlags& flags,
                                                           const std::string& http_address,
                                                           const std::string& ca_file,
                                                           const std::string& cert_file,
                                                           const std::string& key_file);

}  // namespace orch::metrics
