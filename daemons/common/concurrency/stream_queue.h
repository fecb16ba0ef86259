// A closable multi-producer queue that feeds one outgoing gRPC stream: the event loop pushes,
// the stream's writer pops. Closing wakes the writer so the stream can end.
//
// nextWrite() gives a writer the next message to send: the oldest one alone, or — for message
// types with a `repeated T batch` field — everything queued behind it packed into one (bounded
// in count and bytes), so a burst costs one write.
//
// A writer driven by gRPC's callback API does not wait: it sets a listener, called (outside the
// queue's lock, on the pushing or closing thread) after every push and on close, and takes what
// is ready with tryPop() / tryNextWrite().
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace orch::concurrency {

template <typename T>
class StreamQueue {
 public:
  // Returns false when the queue is closed (the item is dropped).
  bool push(T item) {
    std::shared_ptr<std::function<void()>> listener;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return false;
      items_.push_back(std::move(item));
      listener = listener_;
    }
    if (listener) {
      (*listener)();
    } else {
      cv_.notify_one();
    }
    return true;
  }

  // Called after every push and on close (see above); replaces any earlier listener. Set it
  // before anything is pushed, or call it once yourself after setting it.
  void setListener(std::function<void()> listener) {
    std::lock_guard<std::mutex> lock(mu_);
    listener_ = listener ? std::make_shared<std::function<void()>>(std::move(listener)) : nullptr;
  }

  // The oldest item, without waiting; nullopt when there is none.
  std::optional<T> tryPop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  // nextWrite() without waiting.
  std::optional<T> tryNextWrite() {
    std::optional<T> first = tryPop();
    if (!first) return first;
    return packBehind(std::move(*first));
  }

  // Waits up to `timeout` for an item; nullopt on timeout or when closed and drained.
  std::optional<T> pop(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  void close() {
    std::shared_ptr<std::function<void()>> listener;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closed_) listener = listener_;
      closed_ = true;
    }
    cv_.notify_all();
    if (listener) (*listener)();
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }

  // Waits up to `timeout` like pop(); then packs up to kMaxBatch queued messages (at most
  // kMaxBatchBytes in all) into the first one's `batch` field when there are several. Messages
  // that would exceed the bytes stay queued for the next write.
  std::optional<T> nextWrite(std::chrono::milliseconds timeout) {
    std::optional<T> first = pop(timeout);
    if (!first) return first;
    return packBehind(std::move(*first));
  }

 private:
  T packBehind(T first) {
    static constexpr size_t kMaxBatch = 64;
    static constexpr size_t kMaxBatchBytes = 1 << 20;
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) return first;
    T packed;
    size_t bytes = first.ByteSizeLong();
    *packed.add_batch() = std::move(first);
    while (!items_.empty() && static_cast<size_t>(packed.batch_size()) < kMaxBatch) {
      const size_t size = items_.front().ByteSizeLong();
      if (bytes + size > kMaxBatchBytes) break;
      bytes += size;
      *packed.add_batch() = std::move(items_.front());
      items_.pop_front();
    }
    if (packed.batch_size() == 1) return std::move(*packed.mutable_batch(0));
    return packed;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
  std::shared_ptr<std::function<void()>> listener_;
};

}  // namespace orch::concurrency
