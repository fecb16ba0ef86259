// The base of the master's server-streaming event reactors (framework and operator
// subscriptions): events come from a queue the loop pushes to (OutgoingStream), held until the
// subscription is durable so the first event never announces state a restarted master would not
// know. A subclass starts its subscription on the loop with releaseWhenSubscribed() as the
// reply, and calls detachStream() from OnDone before it deletes itself.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "common/concurrency/stream_queue.h"
#include "master/grpc_status.h"
#include "master/outgoing_stream.h"

namespace orch::master {

template <typename Event>
class HeldEventStream : public grpc::ServerWriteReactor<Event> {
 public:
  using Sink = concurrency::StreamQueue<Event>;

  // Ends the call with `s` (a refusal before the subscription).
  void fail(grpc::Status s) {
    out_->finishWith(std::move(s));
    out_->release();
  }

  void OnWriteDone(bool ok) override { out_->writeDone(ok); }
  void OnCancel() override { out_->abort(); }

 protected:
  HeldEventStream() : sink_(std::make_shared<Sink>()) {
    out_ = OutgoingStream<Event>::create(
        sink_, {[this](const Event* e) { this->StartWrite(e); },
                [this](grpc::Status s) { this->Finish(std::move(s)); }},
        /*held=*/true);
  }

  // The subscription's reply (on the loop, once durable, or UNAVAILABLE when the master stops):
  // lets the queued events out, or ends the call with the error.
  std::function<void(absl::Status)> releaseWhenSubscribed() const {
    return [out = out_](absl::Status s) {
      if (!s.ok()) out->finishWith(toGrpc(s));
      out->release();
    };
  }

  // From OnDone: nothing is written after this, and the loop sees the queue closed.
  void detachStream() {
    out_->detach();
    sink_->close();
  }

  const std::shared_ptr<Sink> sink_;

 private:
  std::shared_ptr<OutgoingStream<Event>> out_;
};

}  // namespace orch::master
