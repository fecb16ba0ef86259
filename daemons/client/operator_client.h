// Typed wrappers of the Operator service: every RPC with a deadline, failures as absl::Status
// carrying the server's message (or plain words for transport failures), failover across the
// configured masters when one cannot be reached. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/backoff.h"
#include "client/client_config.h"
#include "client/master_channels.h"
#include "client/operator_event_stream.h"
#include "orchestrator/v1/operator.grpc.pb.h"

namespace orch::client {

class OperatorClient {
 public:
  struct Options {
    std::chrono::milliseconds call_timeout{10'000};
  };

  // Loads the TLS files and prepares channels to the configured masters (no connection yet).
  static absl::StatusOr<std::unique_ptr<OperatorClient>> create(const ClientConfig& config,
                                                                Options options);
  static absl::StatusOr<std::unique_ptr<OperatorClient>> create(const ClientConfig& config);
  OperatorClient(std::shared_ptr<MasterChannels> masters, Options options);

  absl::StatusOr<orchestrator::v1::GetState> getState();
  absl::StatusOr<orchestrator::v1::GetAgentsResponse> getAgents();
  absl::StatusOr<orchestrator::v1::GetFrameworksResponse> getFrameworks();
  // Optional filters: framework_id, task_id.
  absl::StatusOr<orchestrator::v1::GetTasksResponse> getTasks(
      const orchestrator::v1::GetTasksRequest& request);
  absl::StatusOr<orchestrator::v1::GetTasksResponse> getTasks();
  absl::StatusOr<orchestrator::v1::MetricsSnapshot> getMetrics();
  absl::Status drainAgent(const orchestrator::v1::DrainAgentRequest& request);
  absl::Status reactivateAgent(const std::string& agent_id);
  absl::Status killTask(const orchestrator::v1::KillTaskRequest& request);
  absl::Status setWeights(const orchestrator::v1::SetWeightsRequest& request);
  absl::StatusOr<orchestrator::v1::GetWeightsResponse> getWeights();
  absl::Status setQuota(const orchestrator::v1::SetQuotaRequest& request);
  absl::StatusOr<orchestrator::v1::GetQuotaResponse> getQuota();

  // Opens the cluster event stream on its own thread (already started), reconnecting with
  // backoff. Destroy the returned object (or call stop()) to end it.
  std::unique_ptr<OperatorEventStream> subscribe(OperatorEventCallback on_event,
                                                 ConnectionStateCallback on_state = {},
                                                 BackoffPolicy backoff = {});

  const std::shared_ptr<MasterChannels>& masters() const { return masters_; }

 private:
  using Stub = orchestrator::v1::Operator::Stub;
  template <typename Request, typename Response>
  absl::StatusOr<Response> unary(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                               Response*),
                                 const Request& request);

  std::shared_ptr<MasterChannels> masters_;
  Options options_;
};

}  // namespace orch::client
