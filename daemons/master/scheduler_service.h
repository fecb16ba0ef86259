// The Scheduler gRPC service: framework subscriptions (one event stream each) and calls.
#pragma once

#include "master/leadership.h"
#include "master/master_loop.h"
#include "orchestrator/v1/scheduler.grpc.pb.h"

namespace orch::master {

class SchedulerService final : public orchestrator::v1::Scheduler::Service {
 public:
  SchedulerService(MasterLoop& loop, const Leadership& leadership)
      : loop_(loop), leadership_(leadership) {}

  grpc::Status Subscribe(grpc::ServerContext* ctx, const orchestrator::v1::SubscribeRequest* request,
                         grpc::ServerWriter<orchestrator::v1::Event>* writer) override;
  grpc::Status Call(grpc::ServerContext* ctx, const orchestrator::v1::Call* call,
                    orchestrator::v1::CallResponse* response) override;

 private:
  MasterLoop& loop_;
  const Leadership& leadership_;
};

}  // namespace orch::master
