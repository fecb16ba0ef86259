// The agent's Connect stream to one master, on gRPC's callback API: no thread of the agent's
// own reads or writes it. Each message read is handed to `on_message` on gRPC's thread; a push
// to the sink starts a write on the pushing thread (the agent's loop) when none is in flight,
// and each finished write starts the next, a burst packed into one.
//
// The owner keeps the stream in a shared_ptr until await() returns: the sink's listener holds
// it weakly, so a push racing the end finds either a live stream or none.
#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "common/concurrency/stream_queue.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::agent {

class MasterStream final
    : public grpc::ClientBidiReactor<orchestrator::v1::AgentMessage, orchestrator::v1::MasterMessage>,
      public std::enable_shared_from_this<MasterStream> {
 public:
  using Sink = concurrency::StreamQueue<orchestrator::v1::AgentMessage>;
  using OnMessage = std::function<void(orchestrator::v1::MasterMessage&&)>;

  // Starts the call; `first` (the registration) is written before anything pushed to `sink`.
  static std::shared_ptr<MasterStream> start(orchestrator::v1::AgentRegistry::Stub& stub,
                                             std::shared_ptr<Sink> sink,
                                             orchestrator::v1::AgentMessage first,
                                             OnMessage on_message);

  // Waits until the call is over (the master ended it, the connection broke, or cancel());
  // the sink is closed by then. The master's trailing metadata is in context().
  grpc::Status await();
  // Ends the call from any thread; await() then returns.
  void cancel() { context_.TryCancel(); }
  grpc::ClientContext& context() { return context_; }

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  MasterStream(std::shared_ptr<Sink> sink, OnMessage on_message)
      : sink_(std::move(sink)), on_message_(std::move(on_message)) {}

  // Starts the next write if none is in flight; once the sink is closed, lets the call end.
  void pump();
  void releaseIfIdle();  // under mu_

  grpc::ClientContext context_;
  std::shared_ptr<Sink> sink_;
  OnMessage on_message_;
  orchestrator::v1::MasterMessage in_;
  orchestrator::v1::AgentMessage out_;  // the message being written (gRPC reads it until OnWriteDone)

  std::mutex mu_;
  std::condition_variable done_cv_;
  bool writing_ = false;
  bool writes_over_ = false;    // the sink is closed or a write failed: no more writes start
  bool hold_released_ = false;  // the hold that let writes start at any time is gone
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace orch::agent
