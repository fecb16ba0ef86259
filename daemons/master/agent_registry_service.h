// The AgentRegistry gRPC service: one bidirectional stream per connected agent.
#pragma once

#include "master/leadership.h"
#include "master/master_loop.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::master {

class AgentRegistryService final : public orchestrator::v1::AgentRegistry::Service {
 public:
  AgentRegistryService(MasterLoop& loop, const Leadership& leadership)
      : loop_(loop), leadership_(leadership) {}

  grpc::Status Connect(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<orchestrator::v1::MasterMessage, orchestrator::v1::AgentMessage>*
          stream) override;

 private:
  MasterLoop& loop_;
  const Leadership& leadership_;
};

}  // namespace orch::master
