// A single-threaded event loop: tasks run in order on one thread; delayed tasks run on time.
// The Executor handed to ZkClient is usually loop.executor().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "common/zk/zk_types.h"

namespace orch::zk {

class EventLoop {
 public:
  explicit EventLoop(std::string name = "loop");
  ~EventLoop();  // stop()s
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Queues a task; ignored after stop().
  void post(Task task);
  // Queues a task to run after delay.
  void postDelayed(std::chrono::milliseconds delay, Task task);
  // An Executor that posts here.
  Executor executor();
  // Runs task on the loop and waits for it (must not be called from the loop thread).
  void runSync(Task task);
  // Drops pending tasks, finishes the running one and joins the thread. Idempotent.
  void stop();
  bool inLoopThread() const;

 private:
  void run();

  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> ready_;
  std::multimap<std::chrono::steady_clock::time_point, Task> timed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace orch::zk
