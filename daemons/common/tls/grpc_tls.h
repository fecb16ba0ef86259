// mTLS credentials and channels for every gRPC connection in the cluster.
//
// Servers require and verify a client certificate issued by the cluster CA; clients verify the
// server's certificate against the same CA. gRPC 1.51's C++ API has no min-TLS-version setter:
// the handshake negotiates TLS 1.3 with OpenSSL 3 (gRPC's default range is TLS 1.2..1.3).
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace grpc {
class ServerBuilder;
}

namespace orch::tls {

// Paths to PEM files.
struct TlsFiles {
  std::string ca_cert;
  std::string cert;
  std::string key;
};

// dir/ca.crt, dir/<name>.crt, dir/<name>.key — the layout issueCertificate writes.
TlsFiles tlsFilesIn(const std::string& dir, const std::string& name);

// Server credentials: TLS, client certificate required and verified against files.ca_cert.
// NotFound / PermissionDenied / InvalidArgument naming the path when a file is missing,
// unreadable or not PEM; InvalidArgument if the key does not match the certificate.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> makeServerCredentials(const TlsFiles& files);

// Channel credentials: verify the server against files.ca_cert, present files.cert/files.key.
// Same errors as makeServerCredentials.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> makeChannelCredentials(const TlsFiles& files);

// A channel with keepalive (30 s ping, 10 s timeout, pings without calls allowed) and
// reconnect backoff suited to a cluster. When the target's host is a loopback IP
// (127.x.x.x, ::1) the TLS target name is overridden to "localhost".
std::shared_ptr<grpc::Channel> makeChannel(const std::string& target,
                                           std::shared_ptr<grpc::ChannelCredentials> creds);
// Same, with an explicit TLS target name (the name the server certificate must carry).
// An empty server_name_override means "no override".
std::shared_ptr<grpc::Channel> makeChannel(const std::string& target,
                                           std::shared_ptr<grpc::ChannelCredentials> creds,
                                           const std::string& server_name_override);

// Server-side channel arguments matching makeChannel's keepalive (accept client pings every
// 20 s even without calls, so servers do not answer them with GOAWAY too_many_pings).
void applyServerChannelArgs(grpc::ServerBuilder& builder);

// The client certificate's subject CN ("" when the peer is not authenticated).
std::string peerPrincipal(const grpc::ServerContext& ctx);
std::string peerPrincipal(const grpc::ServerContextBase& ctx);  // callback API contexts
std::string peerPrincipal(const grpc::AuthContext& auth);

// The client certificate's subject OU, i.e. its CertRole name ("" when unknown).
std::string peerRole(const grpc::ServerContext& ctx);
std::string peerRole(const grpc::ServerContextBase& ctx);
std::string peerRole(const grpc::AuthContext& auth);

}  // namespace orch::tls
