// Whether this master leads, and where the leader is. Standbys answer every RPC with
// UNAVAILABLE and the leader's address in the `orch-leader` trailing metadata; clients follow it.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <string>

namespace orch::master {

class Leadership {
 public:
  virtual ~Leadership() = default;
  virtual bool isLeader() const = 0;
  virtual std::string leaderAddress() const = 0;  // "" while unknown
  // Elected, but still reading the registry: not serving yet.
  virtual bool recovering() const { return false; }
};

// A master without ZooKeeper: always the leader of its single-node cluster.
class SoleLeader final : public Leadership {
 public:
  explicit SoleLeader(std::string address) : address_(std::move(address)) {}
  bool isLeader() const override { return true; }
  std::string leaderAddress() const override { return address_; }

 private:
  std::string address_;
};

inline constexpr char kLeaderMetadata[] = "orch-leader";

// OK on the leader; otherwise UNAVAILABLE naming the leader, with the redirect metadata.
inline grpc::Status requireLeader(const Leadership& leadership, grpc::ServerContextBase* ctx) {
  if (leadership.isLeader()) return grpc::Status::OK;
  if (leadership.recovering()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "this master was just elected and is reading the cluster's registry; "
                        "retry in a moment");
  }
  const std::string leader = leadership.leaderAddress();
  if (!leader.empty()) ctx->AddTrailingMetadata(kLeaderMetadata, leader);
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      leader.empty() ? "this master is a standby and no leader is elected yet"
                                     : "this master is a standby; the leader is " + leader);
}

}  // namespace orch::master
