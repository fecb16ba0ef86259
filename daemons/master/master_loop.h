// The master's one event loop: it owns the MasterEngine, runs every input on one thread, keeps
// the open streams (frameworks, agents, operator subscribers) and routes the engine's effects
// to them. gRPC handler threads only post work here and wait for the answer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/concurrency/stream_queue.h"
#include "common/metrics/metrics_registry.h"
#include "core/master_engine.h"
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

  using Work = std::function<void(core::MasterEngine&, core::TimePoint)>;
  // Runs `work` on the loop thread; effects it causes are routed afterwards.
  void post(Work work);
  // Runs `fn` on the loop thread and returns its result.
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn(std::declval<core::MasterEngine&>(), core::TimePoint{})) {
    using R = decltype(fn(std::declval<core::MasterEngine&>(), core::TimePoint{}));
    auto promise = std::make_shared<std::promise<R>>();
    auto future = promise->get_future();
    post([promise, fn = std::move(fn)](core::MasterEngine& engine, core::TimePoint now) mutable {
      promise->set_value(fn(engine, now));
    });
    return future.get();
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
  void route(std::vector<core::Effect> effects);
  void sendToFramework(const core::FrameworkId& id, orchestrator::v1::Event event);
  void sendToAgent(const core::AgentId& id, orchestrator::v1::MasterMessage message);
  void broadcast(const orchestrator::v1::OperatorEvent& event);
  void updateGauges();

  core::MasterOptions options_;
  core::MasterEngine engine_;
  metrics::MetricsRegistry& metrics_;
  double start_time_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::map<core::FrameworkId, std::shared_ptr<FrameworkSink>> frameworks_;
  std::map<core::AgentId, std::shared_ptr<AgentSink>> agents_;
  std::vector<std::shared_ptr<OperatorSink>> operators_;
  core::TimePoint last_heartbeat_{};
  core::TimePoint last_gauges_{};
  std::function<bool()> elected_ = [] { return true; };
};

}  // namespace orch::master
