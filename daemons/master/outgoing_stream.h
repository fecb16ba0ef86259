// Feeds one gRPC callback-API stream (a ServerWriteReactor or ServerBidiReactor) from the
// StreamQueue the master's loop pushes to, without a writer thread: a push starts a write on the
// pushing thread when none is in flight, and each finished write starts the next. When the queue
// is closed and drained (or a write fails) the stream is finished, exactly once, and nothing is
// written after that.
//
// The reactor owns an OutgoingStream (shared, since the queue's listener may still run after the
// reactor is gone) and calls writeDone() from OnWriteDone, abort() from OnCancel and detach() from
// OnDone, before it deletes itself; after detach() the reactor is never touched again.
//
// A stream can start held: messages queue up but nothing is written until release() (the first
// reply of a stream must wait until the state it announces is durable, as the loop's other replies
// do), while a cancel still finishes it at once.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "common/concurrency/stream_queue.h"

namespace orch::master {

// kBatch: pack queued messages into one write (T has a `repeated T batch` field).
template <typename T, bool kBatch = false>
class OutgoingStream : public std::enable_shared_from_this<OutgoingStream<T, kBatch>> {
 public:
  using Queue = concurrency::StreamQueue<T>;
  struct Ops {
    std::function<void(const T*)> start_write;  // the reactor's StartWrite
    std::function<void(grpc::Status)> finish;   // the reactor's Finish
  };

  static std::shared_ptr<OutgoingStream> create(std::shared_ptr<Queue> queue, Ops ops, bool held = false) {
    auto s = std::shared_ptr<OutgoingStream>(new OutgoingStream(std::move(queue), std::move(ops)));
    s->held_ = held;
    std::weak_ptr<OutgoingStream> weak = s;
    s->queue_->setListener([weak] {
      if (auto self = weak.lock()) self->pump();
    });
    s->pump();  // anything pushed before the listener was set
    return s;
  }

  // Sends the next queued message if no write is in flight; finishes when closed and drained.
  void pump() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (detached_ || writing_ || finished_) return;
    if (broken_) {  // the peer is gone: what is queued cannot be delivered
      finished_ = true;
      ops_.finish(status_);
      return;
    }
    if (held_) return;
    std::optional<T> next;
    if constexpr (kBatch) {
      next = queue_->tryNextWrite();
    } else {
      next = queue_->tryPop();
    }
    if (next) {
      current_ = std::move(*next);
      writing_ = true;
      ops_.start_write(&current_);
      return;
    }
    if (queue_->closed()) {
      finished_ = true;
      ops_.finish(status_);
    }
  }

  // From the reactor's OnWriteDone.
  void writeDone(bool ok) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      abort();
      return;
    }
    pump();
  }

  // The peer is gone (OnCancel, a failed write): finish without writing what is queued.
  void abort() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    broken_ = true;
    queue_->close();  // no more pushes; the listener pumps
    pump();
  }

  // Lets a held stream write.
  void release() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    held_ = false;
    pump();
  }

  // Runs fn (e.g. the reactor's next StartRead) unless the stream is finished, under the lock
  // Finish is called under: an operation started here holds the call open before Finish can
  // complete it, never after.
  template <typename Fn>
  bool unlessFinished(Fn&& fn) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (finished_ || detached_) return false;
    fn();
    return true;
  }

  // Ends the stream with `status`: nothing more can be queued; what already is, and the write in
  // flight, go first.
  void finishWith(grpc::Status status) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (!finished_) status_ = std::move(status);
    queue_->close();
    pump();
  }

  // From the reactor's OnDone, before it deletes itself.
  void detach() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    detached_ = true;
    queue_->setListener(nullptr);
  }


 private:
  OutgoingStream(std::shared_ptr<Queue> queue, Ops ops) : queue_(std::move(queue)), ops_(std::move(ops)) {}

  std::shared_ptr<Queue> queue_;
  Ops ops_;
  // Recursive: close() calls the listener, which pumps again on this thread.
  std::recursive_mutex mu_;
  T current_;  // the message being written (gRPC reads it until OnWriteDone)
  grpc::Status status_ = grpc::Status::OK;
  bool writing_ = false;
  bool finished_ = false;
  bool detached_ = false;
  bool held_ = false;
  bool broken_ = false;
};

}  // namespace orch::master
