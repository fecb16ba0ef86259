// CPPHTTPLIB_OPENSSL_SUPPORT comes from orch_common's compile definitions (it must match how
// Debian built libcpp-httplib); it is what makes httplib::SSLServer available here.
#include "common/metrics/http_endpoint.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/metrics_registry.h"

namespace orch::metrics {
namespace {

using Sha256 = std::array<unsigned char, 32>;

// (Debian's Abseil has its own string_view type, so these small helpers take std's.)
std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Sha256 sha256(std::string_view text) {
  Sha256 out{};
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string openSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

// Reads a whole file; NotFound / PermissionDenied / InvalidArgument naming what and path.
absl::StatusOr<std::string> readPemFile(const std::string& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat(what, " ", path, ": no such file"));
    return absl::PermissionDeniedError(absl::StrCat(what, " ", path, ": ", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": not a regular file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::PermissionDeniedError(absl::StrCat(what, " ", path, ": cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": not a PEM file"));
  }
  return text.str();
}

// Loads certificate, key and (for client certificates) the CA into ctx. TLS 1.3 only.
absl::Status configureServerTls(SSL_CTX& ctx, const HttpEndpointOptions& options) {
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(&ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);

  auto cert_pem = readPemFile(options.cert_file, "TLS certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  if (SSL_CTX_use_certificate_chain_file(&ctx, options.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS certificate ", options.cert_file, ": cannot load: ", openSslError()));
  }
  auto key_pem = readPemFile(options.key_file, "TLS private key");
  if (!key_pem.ok()) return key_pem.status();
  BIO* bio = BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS private key ", options.key_file, ": not a PEM private key: ", openSslError()));
  }
  const int used = SSL_CTX_use_PrivateKey(&ctx, key);
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(&ctx) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("TLS private key ", options.key_file,
                                                   " does not match certificate ", options.cert_file));
  }
  if (options.require_client_cert) {
    auto ca_pem = readPemFile(options.ca_file, "TLS CA certificate");
    if (!ca_pem.ok()) return ca_pem.status();
    if (SSL_CTX_load_verify_locations(&ctx, options.ca_file.c_str(), nullptr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS CA certificate ", options.ca_file, ": cannot load: ", openSslError()));
    }
    // Tells clients which CA to pick a certificate for.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(&ctx, names);
    }
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  ERR_clear_error();
  return absl::OkStatus();
}

absl::Status validateOptions(const std::string& host, const HttpEndpointOptions& options) {
  if (options.tls() && (options.cert_file.empty() || options.key_file.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTPS on ", host, " needs both a certificate and a key file (got ",
                     options.cert_file.empty() ? "no certificate" : "no key", ")"));
  }
  if (options.require_client_cert && !options.tls()) {
    return absl::InvalidArgumentError("HTTP client certificates need HTTPS (a certificate and key file)");
  }
  if (options.require_client_cert && options.ca_file.empty()) {
    return absl::InvalidArgumentError("HTTP client certificates need a CA file to verify them against");
  }
  for (unsigned char c : options.bearer_token) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "HTTP bearer token must be printable ASCII without spaces or control characters");
    }
  }
  if (!options.tls() && !isLoopbackHost(host)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to serve plain HTTP on ", host,
        ": only loopback addresses (127.0.0.0/8, ::1, localhost) may be plain HTTP; anywhere else TLS is "
        "needed (a certificate and key, e.g. --http-tls)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status checkHttpEndpointOptions(const std::string& host, const HttpEndpointOptions& options) {
  if (auto valid = validateOptions(host, options); !valid.ok()) return valid;
  if (!options.tls()) return absl::OkStatus();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return absl::InternalError(absl::StrCat("cannot create a TLS context: ", openSslError()));
  absl::Status st = configureServerTls(*ctx, options);
  SSL_CTX_free(ctx);
  return st;
}

bool isLoopbackHost(std::string_view host) {
  if (equalsIgnoringCase(host, "localhost")) return true;
  std::string bare(host);
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  in_addr v4{};
  if (::inet_pton(AF_INET, bare.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, bare.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

class HttpEndpoint::Impl {
 public:
  Impl(int port, const MetricsRegistry& registry, HttpEndpointOptions options)
      : requested_port_(port), registry_(registry), options_(std::move(options)) {}

  const int requested_port_;
  const MetricsRegistry& registry_;
  HttpEndpointOptions options_;  // guarded by lifecycle_mu_
  // Set by start() from options_ and read only while serving (the thread is joined before a restart).
  bool token_required_ = false;
  Sha256 token_digest_{};
  std::atomic<int> bound_port_{-1};
  std::atomic<bool> loop_done_{false};
  std::atomic<bool> started_{false};

  mutable std::mutex mu_;  // guards health_ and handlers_
  HealthCheck health_;
  std::map<std::string, GetHandler> handlers_;

  mutable std::mutex lifecycle_mu_;  // serialises start()/stop(), guards options_
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  // 401 unless the request carries the bearer token; GET/HEAD /health is always let through.
  httplib::Server::HandlerResponse authorize(const httplib::Request& req, httplib::Response& res) const {
    using Result = httplib::Server::HandlerResponse;
    if (!token_required_) return Result::Unhandled;
    if (req.path == "/health" && (req.method == "GET" || req.method == "HEAD")) return Result::Unhandled;
    std::string_view value;
    if (auto it = req.headers.find("Authorization"); it != req.headers.end()) value = it->second;
    value = trimmed(value);
    constexpr std::string_view kScheme = "bearer ";
    const bool has_token =
        value.size() > kScheme.size() && equalsIgnoringCase(value.substr(0, kScheme.size()), kScheme);
    bool ok = false;
    if (has_token) {
      std::string_view presented = trimmed(value.substr(kScheme.size()));
      // Digests have a fixed length, so the comparison takes the same time whatever was sent.
      const Sha256 digest = sha256(presented);
      ok = CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) == 0;
    }
    if (ok) return Result::Unhandled;
    res.status = 401;
    res.set_header("WWW-Authenticate", has_token ? "Bearer realm=\"orchestrator\", error=\"invalid_token\""
                                                 : "Bearer realm=\"orchestrator\"");
    nlohmann::json body = {{"error", "unauthorized"},
                           {"message", has_token ? "invalid bearer token" : "missing bearer token"}};
    res.set_content(body.dump(), "application/json");
    return Result::Handled;
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/metrics") {
      res.set_content(registry_.renderPrometheus(), MetricsRegistry::kContentType);
      return;
    }
    if (req.path == "/health") {
      HealthCheck check;
      {
        std::lock_guard lock(mu_);
        check = health_;
      }
      HealthReport report = check ? check() : HealthReport{};
      res.status = report.status;
      res.set_content(report.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      "application/json");
      return;
    }
    GetHandler handler;
    {
      std::lock_guard lock(mu_);
      auto it = handlers_.find(req.path);
      if (it != handlers_.end()) handler = it->second;
    }
    if (!handler) {
      res.status = 404;
      res.set_content(absl::StrCat("no handler for ", req.path, "\n"), "text/plain; charset=utf-8");
      return;
    }
    HttpRequestInfo info;
    info.path = req.path;
    info.params.insert(req.params.begin(), req.params.end());
    info.headers.insert(req.headers.begin(), req.headers.end());
    HttpResponse out = handler(info);
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
  }
};

HttpEndpoint::HttpEndpoint(std::string host, int port, const MetricsRegistry& registry)
    : HttpEndpoint(std::move(host), port, registry, HttpEndpointOptions{}) {}

HttpEndpoint::HttpEndpoint(std::string host, int port, const MetricsRegistry& registry,
                           HttpEndpointOptions options)
    : host_(std::move(host)), impl_(std::make_unique<Impl>(port, registry, std::move(options))) {}

void HttpEndpoint::setOptions(HttpEndpointOptions options) {
  std::lock_guard lifecycle(impl_->lifecycle_mu_);
  impl_->options_ = std::move(options);
}

std::string HttpEndpoint::scheme() const {
  std::lock_guard lifecycle(impl_->lifecycle_mu_);
  return impl_->options_.tls() ? "https" : "http";
}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::setHealthCheck(HealthCheck check) {
  std::lock_guard lock(impl_->mu_);
  impl_->health_ = std::move(check);
}

absl::Status HttpEndpoint::addGetHandler(const std::string& path, GetHandler handler) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("HTTP handler path '", path, "' must start with '/'"));
  }
  if (path == "/metrics" || path == "/health") {
    return absl::InvalidArgumentError(absl::StrCat("HTTP handler path '", path, "' is reserved"));
  }
  if (!handler) return absl::InvalidArgumentError(absl::StrCat("empty HTTP handler for '", path, "'"));
  std::lock_guard lock(impl_->mu_);
  impl_->handlers_[path] = std::move(handler);
  return absl::OkStatus();
}

absl::Status HttpEndpoint::start() {
  std::lock_guard lifecycle(impl_->lifecycle_mu_);
  if (impl_->server_) return absl::FailedPreconditionError("HTTP endpoint already started");
  if (impl_->requested_port_ < 0 || impl_->requested_port_ > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid HTTP port ", impl_->requested_port_));
  }
  const HttpEndpointOptions& options = impl_->options_;
  if (auto valid = validateOptions(host_, options); !valid.ok()) return valid;
  std::unique_ptr<httplib::Server> server;
  if (options.tls()) {
    absl::Status tls_status = absl::OkStatus();
    auto ssl = std::make_unique<httplib::SSLServer>([&options, &tls_status](SSL_CTX& ctx) {
      tls_status = configureServerTls(ctx, options);
      return tls_status.ok();
    });
    if (!tls_status.ok()) return tls_status;
    if (!ssl->is_valid()) return absl::InternalError(absl::StrCat("cannot create a TLS context: ", openSslError()));
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  impl_->token_required_ = !options.bearer_token.empty();
  impl_->token_digest_ = sha256(options.bearer_token);
  // httplib's default also sets SO_REUSEPORT, which would let two endpoints share a port silently.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  Impl* impl = impl_.get();
  server->set_pre_routing_handler(
      [impl](const httplib::Request& req, httplib::Response& res) { return impl->authorize(req, res); });
  server->Get("/.*", [impl](const httplib::Request& req, httplib::Response& res) { impl->dispatch(req, res); });

  int port = impl_->requested_port_;
  if (port == 0) {
    port = server->bind_to_any_port(host_);
    if (port < 0) {
      return absl::UnavailableError(absl::StrCat("cannot bind HTTP endpoint to ", host_, " (any port)"));
    }
  } else if (!server->bind_to_port(host_, port)) {
    return absl::UnavailableError(
        absl::StrCat("cannot bind HTTP endpoint to ", host_, ":", port, " (address in use or not local)"));
  }
  impl_->bound_port_ = port;
  httplib::Server* raw = server.get();
  impl_->server_ = std::move(server);
  impl_->loop_done_ = false;
  impl_->thread_ = std::thread([impl, raw] {
    raw->listen_after_bind();
    impl->loop_done_ = true;
  });
  // httplib's stop() is a no-op until the accept loop runs, so wait for it before returning.
  while (!raw->is_running() && !impl_->loop_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!raw->is_running()) {
    impl_->thread_.join();
    impl_->server_.reset();
    impl_->bound_port_ = -1;
    return absl::InternalError(absl::StrCat("HTTP endpoint on ", host_, ":", port, " stopped at once"));
  }
  impl_->started_ = true;
  return absl::OkStatus();
}

void HttpEndpoint::stop() {
  std::lock_guard lifecycle(impl_->lifecycle_mu_);
  if (!impl_->server_) return;
  impl_->started_ = false;
  if (impl_->server_->is_running()) impl_->server_->stop();
  if (impl_->thread_.joinable()) impl_->thread_.join();
  impl_->server_.reset();
  impl_->bound_port_ = -1;
}

bool HttpEndpoint::running() const { return impl_->started_ && !impl_->loop_done_; }

int HttpEndpoint::port() const {
  int bound = impl_->bound_port_.load();
  return bound >= 0 ? bound : impl_->requested_port_;
}

}  // namespace orch::metrics
