// The TLS side of one connection, loaded once when the console connects: the CA, the client
// certificate and the private key as PEM text in memory (an encrypted key decrypted there with
// its passphrase), and the gRPC channel credentials made from them. Every client the console
// opens for that cluster (operator stream and actions, Run Task's scheduler session, the agents'
// log service) uses these credentials, so a protected key is decrypted once and never written.
#pragma once

#include <grpcpp/security/credentials.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "client/client_config.h"
#include "client/master_channels.h"

namespace orch::console {

class ClusterCredentials {
 public:
  // Reads config.tls's three PEM files. The key may be encrypted: then `keyPassphrase` decrypts
  // it (errors from decryptPrivateKeyPem: FailedPrecondition without a passphrase,
  // PermissionDenied for a wrong one). NotFound / InvalidArgument naming the file when one is
  // missing or not PEM, InvalidArgument when the key does not belong to the certificate.
  static absl::StatusOr<std::shared_ptr<const ClusterCredentials>> load(const client::ClientConfig& config,
                                                                        const std::string& keyPassphrase = {});

  const client::ClientConfig& config() const { return config_; }
  const std::shared_ptr<grpc::ChannelCredentials>& channelCredentials() const { return credentials_; }
  // Whether the key on disk is passphrase-protected.
  bool keyWasEncrypted() const { return keyWasEncrypted_; }
  // Whether the masters are found through ZooKeeper (one zk:// entry).
  bool usesZooKeeper() const;

  // A channel to every master: host:port entries as listed, zk:// entries resolved through
  // ZooKeeper (every registered master, leader first). Blocks up to `zkTimeout` per zk:// entry;
  // Unavailable / NotFound from the resolver name the ensemble.
  absl::StatusOr<std::shared_ptr<client::MasterChannels>> masterChannels(
      std::chrono::milliseconds zkTimeout = std::chrono::seconds(5)) const;

 private:
  ClusterCredentials() = default;

  client::ClientConfig config_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  bool keyWasEncrypted_ = false;
};

}  // namespace orch::console
