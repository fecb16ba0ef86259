// The AgentFiles gRPC service: reads and follows a task's stdout/stderr from its sandbox.
#pragma once

#include "agent/agent_loop.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::agent {

class AgentFilesService final : public orchestrator::v1::AgentFiles::Service {
 public:
  explicit AgentFilesService(const AgentLoop& agent) : agent_(agent) {}

  grpc::Status ReadLog(grpc::ServerContext* ctx, const orchestrator::v1::ReadLogRequest* request,
                       grpc::ServerWriter<orchestrator::v1::LogChunk>* writer) override;

 private:
  const AgentLoop& agent_;
};

}  // namespace orch::agent
