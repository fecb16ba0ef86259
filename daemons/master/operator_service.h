// The Operator gRPC service: cluster state, actions and the live event stream.
//
// Served with gRPC's callback API, like the scheduler and agent services: a call runs its work
// on the master's loop (on the calling gRPC thread when the engine is idle) and is answered once
// what it changed is durable; an event subscriber is fed from its queue without a thread of its
// own. The master therefore runs no synchronous-server threads.
#pragma once

#include "common/metrics/metrics_registry.h"
#include "master/leadership.h"
#include "master/master_loop.h"
#include "orchestrator/v1/operator.grpc.pb.h"

namespace orch::master {

class OperatorService final : public orchestrator::v1::Operator::CallbackService {
 public:
  OperatorService(MasterLoop& loop, metrics::MetricsRegistry& metrics, const Leadership& leadership)
      : loop_(loop), metrics_(metrics), leadership_(leadership) {}

  grpc::ServerUnaryReactor* GetState(grpc::CallbackServerContext*, const orchestrator::v1::GetStateRequest*,
                                     orchestrator::v1::GetState*) override;
  grpc::ServerUnaryReactor* GetAgents(grpc::CallbackServerContext*, const orchestrator::v1::GetAgentsRequest*,
                                      orchestrator::v1::GetAgentsResponse*) override;
  grpc::ServerUnaryReactor* GetFrameworks(grpc::CallbackServerContext*,
                                          const orchestrator::v1::GetFrameworksRequest*,
                                          orchestrator::v1::GetFrameworksResponse*) override;
  grpc::ServerUnaryReactor* GetTasks(grpc::CallbackServerContext*, const orchestrator::v1::GetTasksRequest*,
                                     orchestrator::v1::GetTasksResponse*) override;
  grpc::ServerUnaryReactor* GetMetrics(grpc::CallbackServerContext*, const orchestrator::v1::GetMetricsRequest*,
                                       orchestrator::v1::MetricsSnapshot*) override;
  grpc::ServerUnaryReactor* DrainAgent(grpc::CallbackServerContext*, const orchestrator::v1::DrainAgentRequest*,
                                       orchestrator::v1::DrainAgentResponse*) override;
  grpc::ServerUnaryReactor* ReactivateAgent(grpc::CallbackServerContext*,
                                            const orchestrator::v1::ReactivateAgentRequest*,
                                            orchestrator::v1::ReactivateAgentResponse*) override;
  grpc::ServerUnaryReactor* KillTask(grpc::CallbackServerContext*, const orchestrator::v1::KillTaskRequest*,
                                     orchestrator::v1::KillTaskResponse*) override;
  grpc::ServerUnaryReactor* SetWeights(grpc::CallbackServerContext*, const orchestrator::v1::SetWeightsRequest*,
                                       orchestrator::v1::SetWeightsResponse*) override;
  grpc::ServerUnaryReactor* GetWeights(grpc::CallbackServerContext*, const orchestrator::v1::GetWeightsRequest*,
                                       orchestrator::v1::GetWeightsResponse*) override;
  grpc::ServerUnaryReactor* SetQuota(grpc::CallbackServerContext*, const orchestrator::v1::SetQuotaRequest*,
                                     orchestrator::v1::SetQuotaResponse*) override;
  grpc::ServerUnaryReactor* GetQuota(grpc::CallbackServerContext*, const orchestrator::v1::GetQuotaRequest*,
                                     orchestrator::v1::GetQuotaResponse*) override;
  grpc::ServerWriteReactor<orchestrator::v1::OperatorEvent>* Subscribe(
      grpc::CallbackServerContext*, const orchestrator::v1::SubscribeEventsRequest*) override;

 private:
  // Finishes the call at once with `status` (a refusal before any work).
  static grpc::ServerUnaryReactor* refuse(grpc::CallbackServerContext* ctx, grpc::Status status);
  // Runs `fn(engine, now)` (returning absl::StatusOr<Response>) on the loop; the call is answered
  // with its result once the state it saw or changed is durable.
  template <typename Response, typename Fn>
  grpc::ServerUnaryReactor* answer(grpc::CallbackServerContext* ctx, Response* response, Fn fn);
  // As answer(), for actions whose reply is empty: `fn` returns an absl::Status.
  template <typename Fn>
  grpc::ServerUnaryReactor* act(grpc::CallbackServerContext* ctx, Fn fn);

  MasterLoop& loop_;
  metrics::MetricsRegistry& metrics_;
  const Leadership& leadership_;
};

}  // namespace orch::master
