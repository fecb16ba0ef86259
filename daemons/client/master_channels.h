// One mTLS channel per configured master, and which one is currently preferred.
// Thread-safe: calls from several threads share the channels.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "client/client_config.h"

namespace orch::client {

class MasterChannels {
 public:
  struct Endpoint {
    std::string address;                    // "host:port"
    std::shared_ptr<grpc::Channel> channel;
  };

  // Loads the TLS files (errors name the file) and prepares a channel per master.
  static absl::StatusOr<std::shared_ptr<MasterChannels>> create(const ClientConfig& config);

  // Uses channels made elsewhere (tests, or a caller with its own credentials). Without
  // credentials renew() keeps the given channels.
  explicit MasterChannels(std::vector<Endpoint> endpoints,
                          std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

  // The preferred master, then the others in configured order.
  std::vector<Endpoint> inPreferenceOrder() const;
  // The preferred master.
  Endpoint preferred() const;
  // Remembers `address` as the one that answered last.
  void prefer(const std::string& address);
  size_t size() const { return endpoints_.size(); }
  // Replaces the channel to `address` with a new one (fresh connection state), for a stream
  // that keeps failing to reconnect through the old one. Returns the channel to use.
  std::shared_ptr<grpc::Channel> renew(const std::string& address);

 private:
  mutable std::mutex mu_;
  std::vector<Endpoint> endpoints_;  // guarded by mu_ (channels are replaced by renew())
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  size_t preferred_ = 0;
};

// "master at 127.0.0.1:5050", the way error messages name a master.
std::string masterLabel(const std::string& address);

}  // namespace orch::client
