// The master's one event loop: it owns the MasterEngine, runs every input one at a time, keeps
// the open streams (frameworks, agents, operator subscribers) and routes the engine's effects
// to them. gRPC handler threads post work here and wait for the answer; the hot ones (agent
// messages, scheduler calls) run the queue themselves when the engine is idle (drainHere).
// "The loop thread" below means whichever thread runs the engine at the time: only one does,
// and each hands over under the loop's mutex.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/concurrency/stream_queue.h"
#include "common/metrics/metrics_registry.h"
#include "core/master_engine.h"
#include "master/state/state_store.h"
#include "orchestrator/v1/agent.pb.h"
#include "orchestrator/v1/operator.pb.h"
#include "orchestrator/v1/scheduler.pb.h"

namespace orch::master {

using FrameworkSink = concurrency::StreamQueue<orchestrator::v1::Event>;
using AgentSink = concurrency::StreamQueue<orchestrator::v1::MasterMessage>;
using OperatorSink = concurrency::StreamQueue<orchestrator::v1::OperatorEvent>;

class MasterLoop {
 public:
  MasterLoop(core::MasterOptions options, metrics::MetricsRegistry& metrics);
  ~MasterLoop();

  void start();
  void stop();

  // Persists the registry through `store` (before start()). From then on nothing leaves the
  // loop — no reply, event or message — before the state it reflects is durable: effects wait
  // in an outbox until the write holding their changes commits (group commit: one write in
  // flight, the next gathers everything meanwhile). `on_failure` runs (on the loop thread)
  // when a write fails; the outbox is never released after that.
  void setStore(StateStore* store, std::function<void(absl::Status)> on_failure);
  // Rebuilds the engine from what the store holds (before start()). Returns the problems met
  // (corrupt entries are skipped, named, and deleted from the store).
  absl::StatusOr<std::vector<std::string>> recoverFromStore();

  using Work = std::function<void(core::MasterEngine&, core::TimePoint)>;
  // Who runs queued work: the loop thread (woken for it), or the caller, who calls drainHere()
  // right after (a gRPC reaction: saves waking the loop thread, about two context switches per
  // message).
  enum class Wake { kLoopThread, kCallerDrains };
  // Runs `work` on the engine, after the work queued before it; effects it causes are routed
  // afterwards. Work never runs on two threads at once (see drainHere).
  void post(Work work, Wake wake = Wake::kLoopThread);
  // Runs the queued work on this thread unless another thread (the loop's or another caller's)
  // is running the engine, in which case that one takes it. Call it holding no lock that
  // queued work might take (stream locks, ...). Leaves the engine to the loop thread when its
  // tick is due, and after a few batches.
  void drainHere();
  // Runs `fn` on the loop thread and returns its result.
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn(std::declval<core::MasterEngine&>(), core::TimePoint{})) {
    using R = decltype(fn(std::declval<core::MasterEngine&>(), core::TimePoint{}));
    auto promise = std::make_shared<std::promise<R>>();
    auto future = promise->get_future();
    post([this, promise, fn = std::move(fn)](core::MasterEngine& engine, core::TimePoint now) mutable {
      auto result = std::make_shared<R>(fn(engine, now));
      defer([promise, result] { promise->set_value(std::move(*result)); });
    });
    return future.get();
  }

  // As call(), without waiting: done(result) runs on the loop thread once the state `fn`
  // changed is durable (when call() would have returned). fn and done must be copyable; R (fn's
  // result) must be constructible from an absl::Status: when the master stops first, or the
  // store failed so the reply can never be released, done gets UNAVAILABLE instead (from stop(),
  // or at once on the calling thread if the loop is already stopped) — every caller is answered.
  template <typename Fn, typename Done>
  void callAsync(Fn fn, Done done, Wake wake = Wake::kLoopThread) {
    using R = std::invoke_result_t<Fn&, core::MasterEngine&, core::TimePoint>;
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto abandon = [done, once](absl::Status why) mutable {
      if (!once->exchange(true)) done(R(std::move(why)));
    };
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!stopping_) {
        const uint64_t id = ++next_reply_;
        pending_replies_.emplace(id, abandon);
        queue_.push_back([this, id, fn = std::move(fn), done = std::move(done), once](
                             core::MasterEngine& engine, core::TimePoint now) mutable {
          auto result = std::make_shared<R>(fn(engine, now));
          defer([this, id, done, once, result]() mutable {
            {
              std::lock_guard<std::mutex> l(mu_);
              pending_replies_.erase(id);
            }
            if (!once->exchange(true)) done(std::move(*result));
          });
        });
        lock.unlock();
        if (wake == Wake::kLoopThread) cv_.notify_all();
        return;
      }
    }
    abandon(absl::UnavailableError("the master is shutting down"));
  }

  // Stream registries; called on the loop thread (inside post/call).
  void attachFramework(const core::FrameworkId& id, std::shared_ptr<FrameworkSink> sink);
  // Detaches only if `sink` is still the framework's current stream; returns whether it was.
  bool detachFramework(const core::FrameworkId& id, const std::shared_ptr<FrameworkSink>& sink);
  void attachAgent(const core::AgentId& id, std::shared_ptr<AgentSink> sink);
  bool detachAgent(const core::AgentId& id, const std::shared_ptr<AgentSink>& sink);
  void attachOperator(std::shared_ptr<OperatorSink> sink);

  // Snapshots built from the engine (loop thread only).
  orchestrator::v1::GetState stateSnapshot(const core::MasterEngine& engine) const;
  orchestrator::v1::AgentState agentState(const core::MasterEngine& engine,
                                          const core::AgentRecord& agent) const;
  orchestrator::v1::FrameworkState frameworkState(const core::MasterEngine& engine,
                                                  const core::FrameworkRecord& framework) const;
  orchestrator::v1::TaskRecord taskRecord(const core::MasterEngine& engine,
                                          const core::TaskRecord& task) const;

  const core::MasterOptions& options() const { return options_; }
  // Reports leadership in mesos_master_elected (set before start()).
  void setElectedProbe(std::function<bool()> probe) { elected_ = std::move(probe); }
  double startTime() const { return start_time_; }

 private:
  void run();
  // After each input: registry changes into the pending write, effects into the outbox.
  void settle();
  // Queues an action for when everything changed so far is durable (loop thread).
  void defer(std::function<void()> action) { deferred_.push_back(std::move(action)); }
  void hold(std::function<void()> action);
  void flushStore();
  void onCommitted(uint64_t seq, const absl::Status& status);
  void releaseReady();
  void route(std::vector<core::Effect> effects);
  void sendToFramework(const core::FrameworkId& id, orchestrator::v1::Event event);
  void sendToAgent(const core::AgentId& id, orchestrator::v1::MasterMessage message);
  void broadcast(const orchestrator::v1::OperatorEvent& event);
  void updateGauges();
  // AGENT_UPDATED for agents whose allocation changed (tasks started or ended), at most twice a
  // second per agent, so operator views follow launches without a flood of events.
  void broadcastAllocationChanges();

  core::MasterOptions options_;
  core::MasterEngine engine_;
  metrics::MetricsRegistry& metrics_;
  double start_time_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  bool draining_ = false;         // a thread runs the engine (the loop's, or one in drainHere)
  bool loop_wants_turn_ = false;  // the loop thread waits for the engine: its tick is due
  // Shared with the store's write callbacks, which may come after stop() (and after this loop
  // is gone): they do nothing once alive is false.
  struct Life {
    // Recursive: a store that answers a write at once (one that is closing) calls back on the
    // thread already inside a callback.
    std::recursive_mutex mu;
    bool alive = true;
  };
  std::shared_ptr<Life> life_ = std::make_shared<Life>();
  // callAsync replies not yet sent (guarded by mu_), answered UNAVAILABLE by stop().
  uint64_t next_reply_ = 0;
  std::map<uint64_t, std::function<void(absl::Status)>> pending_replies_;
  std::thread thread_;

  std::map<core::FrameworkId, std::shared_ptr<FrameworkSink>> frameworks_;
  std::map<core::AgentId, std::shared_ptr<AgentSink>> agents_;
  std::vector<std::shared_ptr<OperatorSink>> operators_;
  core::TimePoint last_heartbeat_{};
  core::TimePoint last_gauges_{};
  std::set<core::AgentId> allocation_changed_;
  std::function<bool()> elected_ = [] { return true; };

  // Durability (loop thread only).
  StateStore* store_ = nullptr;
  std::function<void(absl::Status)> on_store_failure_;
  core::RegistryDelta pending_delta_;
  uint64_t issued_seq_ = 0;     // last write handed to the store
  uint64_t committed_seq_ = 0;  // last write the store confirmed
  bool write_in_flight_ = false;
  bool store_failed_ = false;
  std::chrono::steady_clock::time_point write_started_{};
  std::vector<std::function<void()>> deferred_;
  std::deque<std::pair<uint64_t, std::function<void()>>> outbox_;
};

}  // namespace orch::master
