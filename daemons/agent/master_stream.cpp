#include "agent/master_stream.h"

#include <utility>

namespace orch::agent {

namespace v1 = orchestrator::v1;

std::shared_ptr<MasterStream> MasterStream::start(v1::AgentRegistry::Stub& stub,
                                                  std::shared_ptr<Sink> sink, v1::AgentMessage first,
                                                  OnMessage on_message) {
  auto stream = std::shared_ptr<MasterStream>(new MasterStream(std::move(sink), std::move(on_message)));
  stub.async()->Connect(&stream->context_, stream.get());
  // Writes start whenever the loop pushes, not only from reactions: held until the sink closes.
  stream->AddHold();
  {
    std::lock_guard<std::mutex> lock(stream->mu_);
    stream->out_ = std::move(first);
    stream->writing_ = true;
    stream->StartWrite(&stream->out_);
  }
  std::weak_ptr<MasterStream> weak = stream;
  stream->sink_->setListener([weak] {
    if (auto self = weak.lock()) self->pump();
  });
  stream->StartRead(&stream->in_);
  stream->StartCall();
  return stream;
}

void MasterStream::pump() {
  std::lock_guard<std::mutex> lock(mu_);
  if (writing_ || writes_over_) return;
  std::optional<v1::AgentMessage> next = sink_->tryNextWrite();  // a burst goes as one
  if (next) {
    out_ = std::move(*next);
    writing_ = true;
    StartWrite(&out_);
    return;
  }
  if (sink_->closed()) {
    writes_over_ = true;
    releaseIfIdle();
  }
}

void MasterStream::releaseIfIdle() {
  if (writes_over_ && !writing_ && !hold_released_) {
    hold_released_ = true;
    RemoveHold();
  }
}

void MasterStream::OnWriteDone(bool ok) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      // The stream is broken: what is queued goes to the next connection (the loop resends
      // every unacknowledged update when it registers again).
      writes_over_ = true;
      releaseIfIdle();
      context_.TryCancel();
      return;
    }
  }
  pump();
}

void MasterStream::OnReadDone(bool ok) {
  if (!ok) {
    // The master ended the stream or it broke: no more writes (close() runs the listener,
    // which lets the call end once no write is in flight).
    sink_->close();
    return;
  }
  v1::MasterMessage message;
  message.Swap(&in_);
  on_message_(std::move(message));
  StartRead(&in_);
}

void MasterStream::OnDone(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  status_ = status;
  done_ = true;
  writes_over_ = true;
  done_cv_.notify_all();  // under the lock: the owner may free this as soon as it sees done_
}

grpc::Status MasterStream::await() {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return done_; });
  return status_;
}

}  // namespace orch::agent
