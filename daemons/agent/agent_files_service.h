// The AgentFiles gRPC service: reads and follows a task's stdout/stderr from its sandbox.
//
// Served with gRPC's callback API: a follower waits on a timer, not on a thread of its own, and
// the agent runs no synchronous-server threads. (A synchronous server's polling thread took part
// in every read of the agent's stream to the master: serving this way cut the agent's CPU per
// launched task by about a sixth, bench_launch_throughput.)
#pragma once

#include "agent/agent_loop.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::agent {

class AgentFilesService final : public orchestrator::v1::AgentFiles::CallbackService {
 public:
  explicit AgentFilesService(const AgentLoop& agent) : agent_(agent) {}

  grpc::ServerWriteReactor<orchestrator::v1::LogChunk>* ReadLog(
      grpc::CallbackServerContext* ctx, const orchestrator::v1::ReadLogRequest* request) override;

 private:
  const AgentLoop& agent_;
};

}  // namespace orch::agent
