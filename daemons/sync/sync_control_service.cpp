#include "sync/sync_control_service.h"

#include <mutex>

#include "common/log/logger.h"
#include "common/tls/grpc_tls.h"

namespace orch::sync {

namespace pb = orchestrator::v1;

grpc::Status toGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(static_cast<int>(s.code())), std::string(s.message()));
}

void toProto(const SyncStatus& s, const SyncConfig& cfg, pb::SyncStatusReply* out) {
  out->set_name(cfg.name);
  out->set_mode(cfg.bidirectional ? "bidirectional" : "one-way");
  out->set_conflict_resolution(core::sync::conflictStrategyName(cfg.conflict_resolution));
  out->set_phase(s.phase);
  out->set_in_sync(s.in_sync);
  out->set_znodes(s.znodes);
  for (const auto& e : s.ephemerals) out->add_ephemerals_skipped(e);
  out->set_writes(s.writes);
  out->set_bytes(s.bytes);
  out->set_errors(s.errors);
  out->set_full_syncs(s.full_syncs);
  out->set_last_full_sync_ms(s.last_full_sync_ms);
  out->set_watches(s.watches);
  out->set_pending_writes(s.pending_writes);
  out->set_source_session(s.source_session);
  out->set_target_session(s.target_session);
  out->set_lag_p50_ms(s.lag_p50_ms);
  out->set_lag_p99_ms(s.lag_p99_ms);
  out->set_lag_samples(s.lag_samples);
  out->set_last_error(s.last_error);
  out->set_conflicts(s.conflicts);
  out->set_conflicts_held(s.conflicts_held);
  out->set_conflict_rate_alert(s.conflict_rate_alert);
  out->set_source_zk(cfg.source_zk);
  out->set_target_zk(cfg.target_zk);
  for (const auto& p : cfg.paths_to_sync) out->add_paths(p);
  out->set_writes_to_source(s.writes_to_source);
  out->set_baseline_file(s.baseline_file);
  out->set_baseline_entries(s.baseline_entries);
  out->set_baseline_write_failures(s.baseline_write_failures);
  out->set_baseline_failing(s.baseline_failing);
  out->set_baseline_error(s.baseline_error);
}

SyncStatus fromProto(const pb::SyncStatusReply& in) {
  SyncStatus s;
  s.phase = in.phase();
  s.in_sync = in.in_sync();
  s.znodes = in.znodes();
  s.ephemerals.assign(in.ephemerals_skipped().begin(), in.ephemerals_skipped().end());
  s.writes = in.writes();
  s.bytes = in.bytes();
  s.errors = in.errors();
  s.full_syncs = in.full_syncs();
  s.last_full_sync_ms = in.last_full_sync_ms();
  s.watches = in.watches();
  s.pending_writes = in.pending_writes();
  s.source_session = in.source_session();
  s.target_session = in.target_session();
  s.lag_p50_ms = in.lag_p50_ms();
  s.lag_p99_ms = in.lag_p99_ms();
  s.lag_samples = in.lag_samples();
  s.last_error = in.last_error();
  s.conflicts = in.conflicts();
  s.conflicts_held = in.conflicts_held();
  s.conflict_rate_alert = in.conflict_rate_alert();
  s.writes_to_source = in.writes_to_source();
  s.baseline_file = in.baseline_file();
  s.baseline_entries = in.baseline_entries();
  s.baseline_write_failures = in.baseline_write_failures();
  s.baseline_failing = in.baseline_failing();
  s.baseline_error = in.baseline_error();
  return s;
}

namespace {
void sideToProto(const core::sync::ConflictSideView& v, pb::ConflictSide* out) {
  out->set_exists(v.exists);
  out->set_data(v.data);
  out->set_mtime_ms(v.mtime_ms);
  out->set_version(v.version);
  out->set_mzxid(v.mzxid);
}
core::sync::ConflictSideView sideFromProto(const pb::ConflictSide& in) {
  return core::sync::ConflictSideView{in.exists(), in.data(), in.mtime_ms(), in.version(), in.mzxid()};
}
}  // namespace

void toProto(const core::sync::HeldConflict& c, pb::Conflict* out) {
  out->set_id(c.id);
  out->set_path(c.path);
  out->set_detected_ms(c.detected_ms);
  sideToProto(c.a, out->mutable_source());
  sideToProto(c.b, out->mutable_target());
  out->set_reason(c.reason);
}

core::sync::HeldConflict fromProto(const pb::Conflict& in) {
  core::sync::HeldConflict c;
  c.id = in.id();
  c.path = in.path();
  c.detected_ms = in.detected_ms();
  c.a = sideFromProto(in.source());
  c.b = sideFromProto(in.target());
  c.reason = in.reason();
  return c;
}

SyncControlService::SyncControlService(SyncJob& job, SyncConfig config, std::function<void()> on_stop)
    : job_(job), config_(std::move(config)), on_stop_(std::move(on_stop)) {}

grpc::Status SyncControlService::requireOperator(const grpc::ServerContext& ctx) const {
  const std::string role = tls::peerRole(ctx);
  if (role == "operator" || role == "master") return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      "this call needs an operator or master certificate (peer role '" + role + "')");
}

grpc::Status SyncControlService::GetStatus(grpc::ServerContext*, const pb::GetSyncStatusRequest*,
                                           pb::SyncStatusReply* reply) {
  toProto(job_.status(), config_, reply);
  return grpc::Status::OK;
}

grpc::Status SyncControlService::Stop(grpc::ServerContext* ctx, const pb::StopSyncRequest*, pb::StopSyncReply*) {
  if (auto s = requireOperator(*ctx); !s.ok()) return s;
  log::logInfo("stop requested", {{"peer", tls::peerPrincipal(*ctx)}});
  std::call_once(stopped_, [this] {
    job_.stop();
    if (on_stop_) on_stop_();
  });
  return grpc::Status::OK;
}

grpc::Status SyncControlService::Resync(grpc::ServerContext* ctx, const pb::ResyncRequest*, pb::ResyncReply*) {
  if (auto s = requireOperator(*ctx); !s.ok()) return s;
  job_.requestFullResync();
  return grpc::Status::OK;
}

grpc::Status SyncControlService::ListConflicts(grpc::ServerContext*, const pb::ListConflictsRequest*,
                                               pb::ListConflictsReply* reply) {
  for (const auto& c : job_.listConflicts()) toProto(c, reply->add_conflicts());
  return grpc::Status::OK;
}

grpc::Status SyncControlService::ResolveConflict(grpc::ServerContext* ctx, const pb::ResolveConflictRequest* req,
                                                 pb::ResolveConflictReply* reply) {
  if (auto s = requireOperator(*ctx); !s.ok()) return s;
  ConflictWinner w;
  switch (req->winner()) {
    case pb::CONFLICT_WINNER_SOURCE: w = ConflictWinner::kSource; break;
    case pb::CONFLICT_WINNER_TARGET: w = ConflictWinner::kTarget; break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "winner must be source or target");
  }
  auto r = job_.resolveConflict(req->id(), w);
  if (!r.ok()) return toGrpc(r.status());
  toProto(*r, reply->mutable_resolved());
  log::logInfo("conflict resolved", {{"id", req->id()}, {"path", r->path}, {"peer", tls::peerPrincipal(*ctx)}});
  return grpc::Status::OK;
}

}  // namespace orch::sync
