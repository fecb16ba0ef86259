// The AgentRegistry gRPC service: one bidirectional stream per connected agent.
#pragma once

#include "master/master_loop.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::master {

class AgentRegistryService final : public orchestrator::v1::AgentRegistry::Service {
 public:
  explicit AgentRegistryService(MasterLoop& loop) : loop_(loop) {}

  grpc::Status Connect(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<orchestrator::v1::MasterMessage, orchestrator::v1::AgentMessage>*
          stream) override;

 private:
  MasterLoop& loop_;
};

}  // namespace orch::master
