#include "common/zk/event_loop.h"

#include <future>
#include <utility>

namespace orch::zk {

EventLoop::EventLoop(std::string name) : name_(std::move(name)), thread_([this] { run(); }) {}

EventLoop::~EventLoop() { stop(); }

void EventLoop::post(Task task) {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    ready_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void EventLoop::postDelayed(std::chrono::milliseconds delay, Task task) {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    timed_.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
  }
  cv_.notify_one();
}

Executor EventLoop::executor() {
  return [this](Task t) { post(std::move(t)); };
}

void EventLoop::runSync(Task task) {
  std::promise<void> done;
  auto fut = done.get_future();
  post([&] {
    task();
    done.set_value();
  });
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
  }
  fut.wait();
}

void EventLoop::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  std::lock_guard lk(mu_);
  ready_.clear();
  timed_.clear();
}

bool EventLoop::inLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

void EventLoop::run() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    while (!timed_.empty() && timed_.begin()->first <= now) {
      ready_.push_back(std::move(timed_.begin()->second));
      timed_.erase(timed_.begin());
    }
    if (!ready_.empty()) {
      Task t = std::move(ready_.front());
      ready_.pop_front();
      lk.unlock();
      t();
      lk.lock();
      continue;
    }
    if (timed_.empty()) {
      cv_.wait(lk);
    } else {
      cv_.wait_until(lk, timed_.begin()->first);
    }
  }
}

}  // namespace orch::zk
