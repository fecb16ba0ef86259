// The Operator gRPC service: cluster state, actions and the live event stream.
#pragma once

#include "common/metrics/metrics_registry.h"
#include "master/leadership.h"
#include "master/master_loop.h"
#include "orchestrator/v1/operator.grpc.pb.h"

namespace orch::master {

class OperatorService final : public orchestrator::v1::Operator::Service {
 public:
  OperatorService(MasterLoop& loop, metrics::MetricsRegistry& metrics, const Leadership& leadership)
      : loop_(loop), metrics_(metrics), leadership_(leadership) {}

  grpc::Status GetState(grpc::ServerContext*, const orchestrator::v1::GetStateRequest*,
                        orchestrator::v1::GetState*) override;
  grpc::Status GetAgents(grpc::ServerContext*, const orchestrator::v1::GetAgentsRequest*,
                         orchestrator::v1::GetAgentsResponse*) override;
  grpc::Status GetFrameworks(grpc::ServerContext*, const orchestrator::v1::GetFrameworksRequest*,
                             orchestrator::v1::GetFrameworksResponse*) override;
  grpc::Status GetTasks(grpc::ServerContext*, const orchestrator::v1::GetTasksRequest*,
                        orchestrator::v1::GetTasksResponse*) override;
  grpc::Status GetMetrics(grpc::ServerContext*, const orchestrator::v1::GetMetricsRequest*,
                          orchestrator::v1::MetricsSnapshot*) override;
  grpc::Status DrainAgent(grpc::ServerContext*, const orchestrator::v1::DrainAgentRequest*,
                          orchestrator::v1::DrainAgentResponse*) override;
  grpc::Status ReactivateAgent(grpc::ServerContext*, const orchestrator::v1::ReactivateAgentRequest*,
                               orchestrator::v1::ReactivateAgentResponse*) override;
  grpc::Status KillTask(grpc::ServerContext*, const orchestrator::v1::KillTaskRequest*,
                        orchestrator::v1::KillTaskResponse*) override;
  grpc::Status SetWeights(grpc::ServerContext*, const orchestrator::v1::SetWeightsRequest*,
                          orchestrator::v1::SetWeightsResponse*) override;
  grpc::Status GetWeights(grpc::ServerContext*, const orchestrator::v1::GetWeightsRequest*,
                          orchestrator::v1::GetWeightsResponse*) override;
  grpc::Status SetQuota(grpc::ServerContext*, const orchestrator::v1::SetQuotaRequest*,
                        orchestrator::v1::SetQuotaResponse*) override;
  grpc::Status GetQuota(grpc::ServerContext*, const orchestrator::v1::GetQuotaRequest*,
                        orchestrator::v1::GetQuotaResponse*) override;
  grpc::Status Subscribe(grpc::ServerContext*, const orchestrator::v1::SubscribeEventsRequest*,
                         grpc::ServerWriter<orchestrator::v1::OperatorEvent>*) override;

 private:
  MasterLoop& loop_;
  metrics::MetricsRegistry& metrics_;
  const Leadership& leadership_;
};

}  // namespace orch::master
