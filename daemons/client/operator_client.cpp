#include "client/operator_client.h"

#include "client/rpc_status.h"

namespace orch::client {

namespace v1 = orchestrator::v1;

absl::StatusOr<std::unique_ptr<OperatorClient>> OperatorClient::create(const ClientConfig& config,
                                                                       Options options) {
  auto masters = MasterChannels::create(config);
  if (!masters.ok()) return masters.status();
  return std::make_unique<OperatorClient>(*std::move(masters), options);
}

absl::StatusOr<std::unique_ptr<OperatorClient>> OperatorClient::create(const ClientConfig& config) {
  return create(config, Options{});
}

OperatorClient::OperatorClient(std::shared_ptr<MasterChannels> masters, Options options)
    : masters_(std::move(masters)), options_(options) {}

template <typename Request, typename Response>
absl::StatusOr<Response> OperatorClient::unary(
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    const Request& request) {
  absl::Status last = absl::FailedPreconditionError("no master configured");
  for (const MasterChannels::Endpoint& endpoint : masters_->inPreferenceOrder()) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
    auto stub = v1::Operator::NewStub(endpoint.channel);
    Response response;
    const grpc::Status status = ((*stub).*method)(&context, request, &response);
    if (status.ok()) {
      masters_->prefer(endpoint.address);
      return response;
    }
    last = fromGrpcStatus(status, masterLabel(endpoint.address));
    // A channel in backoff after failed connects can stay failed long after the master is
    // back (it was down, or not yet listening): the next call gets a fresh one.
    if (endpoint.channel->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
      masters_->renew(endpoint.address);
    }
    // Only an unreachable master (or a standby) is worth trying the next one for; any other
    // answer is final.
    if (!isTransportFailure(last)) return last;
  }
  return last;
}

absl::StatusOr<v1::GetState> OperatorClient::getState() {
  return unary(&Stub::GetState, v1::GetStateRequest());
}

absl::StatusOr<v1::GetAgentsResponse> OperatorClient::getAgents() {
  return unary(&Stub::GetAgents, v1::GetAgentsRequest());
}

absl::StatusOr<v1::GetFrameworksResponse> OperatorClient::getFrameworks() {
  return unary(&Stub::GetFrameworks, v1::GetFrameworksRequest());
}

absl::StatusOr<v1::GetTasksResponse> OperatorClient::getTasks(const v1::GetTasksRequest& request) {
  return unary(&Stub::GetTasks, request);
}

absl::StatusOr<v1::GetTasksResponse> OperatorClient::getTasks() {
  return getTasks(v1::GetTasksRequest());
}

absl::StatusOr<v1::MetricsSnapshot> OperatorClient::getMetrics() {
  return unary(&Stub::GetMetrics, v1::GetMetricsRequest());
}

absl::Status OperatorClient::drainAgent(const v1::DrainAgentRequest& request) {
  return unary(&Stub::DrainAgent, request).status();
}

absl::Status OperatorClient::reactivateAgent(const std::string& agent_id) {
  v1::ReactivateAgentRequest request;
  request.set_agent_id(agent_id);
  return unary(&Stub::ReactivateAgent, request).status();
}

absl::Status OperatorClient::killTask(const v1::KillTaskRequest& request) {
  return unary(&Stub::KillTask, request).status();
}

absl::Status OperatorClient::setWeights(const v1::SetWeightsRequest& request) {
  return unary(&Stub::SetWeights, request).status();
}

absl::StatusOr<v1::GetWeightsResponse> OperatorClient::getWeights() {
  return unary(&Stub::GetWeights, v1::GetWeightsRequest());
}

absl::Status OperatorClient::setQuota(const v1::SetQuotaRequest& request) {
  return unary(&Stub::SetQuota, request).status();
}

absl::StatusOr<v1::GetQuotaResponse> OperatorClient::getQuota() {
  return unary(&Stub::GetQuota, v1::GetQuotaRequest());
}

std::unique_ptr<OperatorEventStream> OperatorClient::subscribe(OperatorEventCallback on_event,
                                                               ConnectionStateCallback on_state,
                                                               BackoffPolicy backoff) {
  auto stream = std::make_unique<OperatorEventStream>(masters_, std::move(on_event),
                                                      std::move(on_state), backoff);
  stream->start();
  return stream;
}

}  // namespace orch::client
