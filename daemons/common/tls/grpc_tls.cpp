#include "common/tls/grpc_tls.h"

#include <arpa/inet.h>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "common/config/json_file.h"
#include "common/tls/cert_authority.h"
#include "common/tls/openssl_handles.h"

namespace orch::tls {
namespace {

constexpr int kKeepaliveTimeMs = 30'000;
constexpr int kKeepaliveTimeoutMs = 10'000;
constexpr int kServerMinPingIntervalMs = 20'000;

struct PemMaterial {
  std::string ca;
  std::string cert;
  std::string key;
};

absl::StatusOr<std::string> readPem(const std::string& path, const char* what) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat("no ", what, " path given"));
  absl::StatusOr<std::string> text = config::readFileToString(path);
  if (!text.ok()) return absl::Status(text.status().code(), absl::StrCat(what, ": ", text.status().message()));
  return text;
}

// Reads and sanity-checks the three files so misconfiguration is reported here, by path,
// rather than as an opaque handshake failure later.
absl::StatusOr<PemMaterial> loadMaterial(const TlsFiles& files) {
  PemMaterial m;
  absl::StatusOr<std::string> ca = readPem(files.ca_cert, "CA certificate");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = readPem(files.cert, "certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = readPem(files.key, "private key");
  if (!key.ok()) return key.status();

  if (!detail::parsePemCertificate(*ca)) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("CA certificate '", files.ca_cert, "' holds no PEM certificate"));
  }
  detail::X509Ptr x509 = detail::parsePemCertificate(*cert);
  if (!x509) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("certificate '", files.cert, "' holds no PEM certificate"));
  }
  detail::PkeyPtr pkey = detail::parsePemPrivateKey(*key);
  if (!pkey) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("private key '", files.key, "' holds no PEM private key"));
  }
  if (X509_check_private_key(x509.get(), pkey.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("private key '", files.key, "' does not match certificate '", files.cert, "'"));
  }
  m.ca = std::move(*ca);
  m.cert = std::move(*cert);
  m.key = std::move(*key);
  return m;
}

// The host part of a gRPC target: "ipv4:1.2.3.4:5", "dns:///h:5", "[::1]:5", "h:5", "h".
std::string targetHost(std::string target) {
  for (const char* scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (absl::StartsWith(target, scheme)) {
      target = target.substr(std::string_view(scheme).size());
      break;
    }
  }
  if (!target.empty() && target.front() == '[') {
    std::size_t close = target.find(']');
    return close == std::string::npos ? target.substr(1) : target.substr(1, close - 1);
  }
  std::size_t first = target.find(':');
  if (first != std::string::npos && target.find(':', first + 1) == std::string::npos) {
    return target.substr(0, first);
  }
  return target;
}

bool isLoopbackIp(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::string firstProperty(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  if (values.empty()) return {};
  return std::string(values.front().data(), values.front().size());
}

}  // namespace

TlsFiles tlsFilesIn(const std::string& dir, const std::string& name) {
  std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  return TlsFiles{base + std::string(kCaCertFileName), base + name + ".crt", base + name + ".key"};
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> makeServerCredentials(const TlsFiles& files) {
  absl::StatusOr<PemMaterial> m = loadMaterial(files);
  if (!m.ok()) return m.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = m->ca;
  options.pem_key_cert_pairs.push_back({m->key, m->cert});
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::SslServerCredentials(options);
  if (!creds) return absl::InternalError("gRPC refused the server TLS credentials");
  return creds;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> makeChannelCredentials(const TlsFiles& files) {
  absl::StatusOr<PemMaterial> m = loadMaterial(files);
  if (!m.ok()) return m.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = m->ca;
  options.pem_private_key = m->key;
  options.pem_cert_chain = m->cert;
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::SslCredentials(options);
  if (!creds) return absl::InternalError("gRPC refused the channel TLS credentials");
  return creds;
}

std::shared_ptr<grpc::Channel> makeChannel(const std::string& target, std::shared_ptr<grpc::ChannelCredentials> creds) {
  return makeChannel(target, std::move(creds), isLoopbackIp(targetHost(target)) ? "localhost" : "");
}

std::shared_ptr<grpc::Channel> makeChannel(const std::string& target, std::shared_ptr<grpc::ChannelCredentials> creds,
                                           const std::string& server_name_override) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  // No GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also uses it as the connect + TLS handshake
  // deadline, and 500 ms fails handshakes on a loaded host. Its default (20 s) is right.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 10'000);
  if (!server_name_override.empty()) args.SetSslTargetNameOverride(server_name_override);
  return grpc::CreateCustomChannel(target, std::move(creds), args);
}

void applyServerChannelArgs(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, kServerMinPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
}

std::string peerPrincipal(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) return {};
  return firstProperty(auth, GRPC_X509_CN_PROPERTY_NAME);
}

std::string peerRole(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) return {};
  std::string pem = firstProperty(auth, GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pem.empty()) return {};
  detail::X509Ptr cert = detail::parsePemCertificate(pem);
  if (!cert) {
    ERR_clear_error();
    return {};
  }
  return detail::nameEntry(X509_get_subject_name(cert.get()), NID_organizationalUnitName);
}

std::string peerPrincipal(const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  return auth ? peerPrincipal(*auth) : std::string();
}

std::string peerRole(const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  return auth ? peerRole(*auth) : std::string();
}

std::string peerPrincipal(const grpc::ServerContext& ctx) {
  return peerPrincipal(static_cast<const grpc::ServerContextBase&>(ctx));
}

std::string peerRole(const grpc::ServerContext& ctx) { return peerRole(static_cast<const grpc::ServerContextBase&>(ctx)); }

}  // namespace orch::tls
