// Blocking helpers for tests: run an async ZkClient call and wait for its completion.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "common/zk/zk_client.h"

namespace orch::zk::testing {

// Calls start(cb) and waits (up to timeout) for cb's value. Records the thread it ran on.
template <typename T, typename Start>
T await(Start start, std::thread::id* ran_on = nullptr, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto p = std::make_shared<std::promise<T>>();
  auto f = p->get_future();
  start([p, ran_on](T v) {
    if (ran_on) *ran_on = std::this_thread::get_id();
    p->set_value(std::move(v));
  });
  if (f.wait_for(timeout) != std::future_status::ready) {
    return T(absl::DeadlineExceededError("test await timed out"));
  }
  return f.get();
}

inline MultiResult awaitMulti(ZkClient& c, std::vector<ZkOp> ops) {
  auto p = std::make_shared<std::promise<MultiResult>>();
  auto f = p->get_future();
  c.multi(std::move(ops), [p](MultiResult r) { p->set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    MultiResult r;
    r.status = absl::DeadlineExceededError("multi timed out");
    return r;
  }
  return f.get();
}

}  // namespace orch::zk::testing
