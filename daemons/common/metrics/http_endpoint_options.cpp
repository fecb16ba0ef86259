#include "common/metrics/http_endpoint_options.h"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace orch::metrics {

void addHttpSecurityFlags(CLI::App& app, HttpSecurityFlags& flags) {
  app.add_flag("--http-tls", flags.tls,
               "serve --http as HTTPS (TLS 1.3) with this daemon's --cert/--key; required unless --http "
               "is a loopback address");
  app.add_flag("--http-client-certs", flags.client_certs,
               "with --http-tls: HTTP clients must present a certificate signed by --ca");
  app.add_option("--http-token-file", flags.token_file,
                 "file (mode 600) whose first line is a bearer token that every HTTP request but "
                 "/health must carry as 'Authorization: Bearer <token>'");
}

absl::StatusOr<std::string> loadBearerTokenFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat("token file ", path, ": no such file"));
    return absl::PermissionDeniedError(absl::StrCat("token file ", path, ": ", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("token file ", path, ": not a regular file"));
  }
  if ((st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
    char mode[16];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return absl::FailedPreconditionError(absl::StrCat("token file ", path, ": other users may read or write it (mode ",
                                                      mode, "); run chmod 600 on it"));
  }
  std::ifstream in(path);
  if (!in) return absl::PermissionDeniedError(absl::StrCat("token file ", path, ": cannot be read"));
  std::string line;
  std::getline(in, line);
  const size_t first = line.find_first_not_of(" \t\r\n\v\f");
  const size_t last = line.find_last_not_of(" \t\r\n\v\f");
  std::string token = first == std::string::npos ? std::string() : line.substr(first, last - first + 1);
  if (token.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("token file ", path, ": the first line holds no token"));
  }
  for (unsigned char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file ", path, ": the token must be printable ASCII without spaces or control characters"));
    }
  }
  return token;
}

absl::StatusOr<HttpEndpointOptions> makeHttpEndpointOptions(const HttpSecurityFlags& flags,
                                                            const std::string& ca_file,
                                                            const std::string& cert_file,
                                                            const std::string& key_file) {
  if (flags.client_certs && !flags.tls) {
    return absl::InvalidArgumentError("--http-client-certs needs --http-tls");
  }
  HttpEndpointOptions options;
  if (flags.tls) {
    options.cert_file = cert_file;
    options.key_file = key_file;
    if (flags.client_certs) {
      options.ca_file = ca_file;
      options.require_client_cert = true;
    }
  }
  if (!flags.token_file.empty()) {
    auto token = loadBearerTokenFile(flags.token_file);
    if (!token.ok()) return token.status();
    options.bearer_token = *std::move(token);
  }
  return options;
}

absl::StatusOr<HttpEndpointOptions> httpEndpointOptionsFor(const HttpSecurityFlags& flags,
                                                           const std::string& http_address,
                                                           const std::string& ca_file,
                                                           const std::string& cert_file,
                                                           const std::string& key_file) {
  absl::StatusOr<HttpEndpointOptions> options = makeHttpEndpointOptions(flags, ca_file, cert_file, key_file);
  if (!options.ok() || http_address.empty()) return options;
  const auto colon = http_address.rfind(':');
  if (colon == std::string::npos) return options;  // the caller reports a malformed address
  if (absl::Status s = checkHttpEndpointOptions(http_address.substr(0, colon), *options); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("--http ", http_address, ": ", s.message()));
  }
  return options;
}

}  // namespace orch::metrics
