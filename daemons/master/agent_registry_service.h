// The AgentRegistry gRPC service: one bidirectional stream per connected agent, served with
// gRPC's callback API (no reader or writer thread per agent: messages go to the master's loop
// as they arrive, and the loop's messages are written as it queues them).
#pragma once

#include "master/leadership.h"
#include "master/master_loop.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::master {

class AgentRegistryService final : public orchestrator::v1::AgentRegistry::CallbackService {
 public:
  AgentRegistryService(MasterLoop& loop, const Leadership& leadership)
      : loop_(loop), leadership_(leadership) {}

  grpc::ServerBidiReactor<orchestrator::v1::AgentMessage, orchestrator::v1::MasterMessage>* Connect(
      grpc::CallbackServerContext* ctx) override;

 private:
  MasterLoop& loop_;
  const Leadership& leadership_;
};

}  // namespace orch::master
