// orch-sync's gRPC control service (orchestrator.v1.SyncControl) over a running SyncJob.
// Reads are open to any peer with a cluster certificate (mTLS is enforced by the server
// credentials); Stop, Resync and ResolveConflict need an operator or master certificate.
#pragma once

#include <functional>
#include <mutex>

#include "orchestrator/v1/sync.grpc.pb.h"
#include "sync/sync_config.h"
#include "sync/sync_job.h"

namespace orch::sync {

class SyncControlService final : public orchestrator::v1::SyncControl::Service {
 public:
  // on_stop runs (once) after the job stopped, e.g. to wake the daemon's main thread.
  SyncControlService(SyncJob& job, SyncConfig config, std::function<void()> on_stop);

  grpc::Status GetStatus(grpc::ServerContext* ctx, const orchestrator::v1::GetSyncStatusRequest* req,
                         orchestrator::v1::SyncStatusReply* reply) override;
  grpc::Status Stop(grpc::ServerContext* ctx, const orchestrator::v1::StopSyncRequest* req,
                    orchestrator::v1::StopSyncReply* reply) override;
  grpc::Status Resync(grpc::ServerContext* ctx, const orchestrator::v1::ResyncRequest* req,
                      orchestrator::v1::ResyncReply* reply) override;
  grpc::Status ListConflicts(grpc::ServerContext* ctx, const orchestrator::v1::ListConflictsRequest* req,
                             orchestrator::v1::ListConflictsReply* reply) override;
  grpc::Status ResolveConflict(grpc::ServerContext* ctx, const orchestrator::v1::ResolveConflictRequest* req,
                               orchestrator::v1::ResolveConflictReply* reply) override;

 private:
  grpc::Status requireOperator(const grpc::ServerContext& ctx) const;

  SyncJob& job_;
  SyncConfig config_;
  std::function<void()> on_stop_;
  std::once_flag stopped_;
};

// Wire conversions (also used by zk-migrate's client side).
void toProto(const SyncStatus& s, const SyncConfig& cfg, orchestrator::v1::SyncStatusReply* out);
SyncStatus fromProto(const orchestrator::v1::SyncStatusReply& in);
void toProto(const core::sync::HeldConflict& c, orchestrator::v1::Conflict* out);
core::sync::HeldConflict fromProto(const orchestrator::v1::Conflict& in);
grpc::Status toGrpc(const absl::Status& s);

}  // namespace orch::sync
