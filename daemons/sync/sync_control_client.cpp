#include "sync/sync_control_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/tls/grpc_tls.h"
#include "sync/sync_control_service.h"

namespace orch::sync {

namespace pb = orchestrator::v1;

namespace {

absl::Status fromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(static_cast<int>(s.error_code())),
                      absl::StrCat(what, ": ", s.error_message()));
}

void deadline(grpc::ClientContext& ctx, int seconds = 15) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SyncControlClient>> SyncControlClient::connect(const std::string& state_dir) {
  auto st = readDaemonState(state_dir);
  if (!st.ok()) return st.status();
  if (!processAlive(st->pid)) {
    removeDaemonState(state_dir);
    return absl::FailedPreconditionError(
        absl::StrCat("orch-sync (pid ", st->pid, ") is not running any more; removed its stale state file"));
  }
  auto creds = tls::makeChannelCredentials(tls::tlsFilesIn(st->tls_dir, kClientCertName));
  if (!creds.ok()) return creds.status();
  auto channel = tls::makeChannel(st->grpc, *creds);
  return std::unique_ptr<SyncControlClient>(new SyncControlClient(*st, pb::SyncControl::NewStub(channel)));
}

absl::StatusOr<pb::SyncStatusReply> SyncControlClient::status() {
  grpc::ClientContext ctx;
  deadline(ctx);
  pb::SyncStatusReply reply;
  auto s = stub_->GetStatus(&ctx, pb::GetSyncStatusRequest{}, &reply);
  if (!s.ok()) return fromGrpc(s, absl::StrCat("orch-sync at ", state_.grpc));
  return reply;
}

absl::Status SyncControlClient::stop() {
  grpc::ClientContext ctx;
  deadline(ctx);
  pb::StopSyncReply reply;
  return fromGrpc(stub_->Stop(&ctx, pb::StopSyncRequest{}, &reply), absl::StrCat("orch-sync at ", state_.grpc));
}

absl::Status SyncControlClient::resync() {
  grpc::ClientContext ctx;
  deadline(ctx);
  pb::ResyncReply reply;
  return fromGrpc(stub_->Resync(&ctx, pb::ResyncRequest{}, &reply), absl::StrCat("orch-sync at ", state_.grpc));
}

absl::StatusOr<std::vector<core::sync::HeldConflict>> SyncControlClient::listConflicts() {
  grpc::ClientContext ctx;
  deadline(ctx);
  pb::ListConflictsReply reply;
  auto s = stub_->ListConflicts(&ctx, pb::ListConflictsRequest{}, &reply);
  if (!s.ok()) return fromGrpc(s, absl::StrCat("orch-sync at ", state_.grpc));
  std::vector<core::sync::HeldConflict> out;
  for (const auto& c : reply.conflicts()) out.push_back(fromProto(c));
  return out;
}

absl::StatusOr<core::sync::HeldConflict> SyncControlClient::resolve(std::uint64_t id, ConflictWinner winner) {
  grpc::ClientContext ctx;
  deadline(ctx, 60);
  pb::ResolveConflictRequest req;
  req.set_id(id);
  req.set_winner(winner == ConflictWinner::kSource ? pb::CONFLICT_WINNER_SOURCE : pb::CONFLICT_WINNER_TARGET);
  pb::ResolveConflictReply reply;
  auto s = stub_->ResolveConflict(&ctx, req, &reply);
  if (!s.ok()) return fromGrpc(s, absl::StrCat("resolving conflict ", id));
  return fromProto(reply.resolved());
}

}  // namespace orch::sync
