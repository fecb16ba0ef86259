// The Scheduler gRPC service: framework subscriptions (one event stream each) and calls.
// Served with gRPC's callback API: no thread waits per subscription or per call; the master's
// loop writes events as it pushes them and answers calls once their effects are durable.
#pragma once

#include "master/leadership.h"
#include "master/master_loop.h"
#include "orchestrator/v1/scheduler.grpc.pb.h"

namespace orch::master {

class SchedulerService final : public orchestrator::v1::Scheduler::CallbackService {
 public:
  SchedulerService(MasterLoop& loop, const Leadership& leadership)
      : loop_(loop), leadership_(leadership) {}

  grpc::ServerWriteReactor<orchestrator::v1::Event>* Subscribe(
      grpc::CallbackServerContext* ctx, const orchestrator::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* Call(grpc::CallbackServerContext* ctx, const orchestrator::v1::Call* call,
                                 orchestrator::v1::CallResponse* response) override;

 private:
  MasterLoop& loop_;
  const Leadership& leadership_;
};

}  // namespace orch::master
