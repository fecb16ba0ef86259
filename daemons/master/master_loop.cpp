#include "master/master_loop.h"

#include <chrono>

#include "common/log/logger.h"
#include "absl/strings/str_cat.h"
#include "common/wire/wire_convert.h"
#include "master/state/registry_codec.h"

namespace orch::master {

namespace v1 = orchestrator::v1;

namespace {

constexpr auto kTickInterval = std::chrono::milliseconds(5);
// drainHere() runs at most this many batches before leaving the rest to the loop thread.
constexpr int kInlineRounds = 4;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

v1::Offer offerToProto(const core::OfferRecord& offer, const core::AgentRecord* agent) {
  v1::Offer out;
  out.set_offer_id(offer.id.value());
  out.set_framework_id(offer.framework.value());
  out.set_agent_id(offer.agent.value());
  out.set_allocation_role(offer.role.value());
  wire::resourcesToProto(offer.resources, out.mutable_resources());
  if (agent) {
    out.set_hostname(agent->info.hostname);
    for (const auto& [name, value] : agent->info.attributes) {
      auto* a = out.add_attributes();
      a->set_name(name);
      a->set_text(value);
    }
  }
  return out;
}

}  // namespace

MasterLoop::MasterLoop(core::MasterOptions options, metrics::MetricsRegistry& metrics)
    : options_(options), engine_(std::move(options)), metrics_(metrics) {
  start_time_ = wire::toUnixSeconds(wire::steadyNow());
}

MasterLoop::~MasterLoop() { stop(); }

void MasterLoop::start() { thread_ = std::thread([this] { run(); }); }

void MasterLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    // A thread running the engine in drainHere() finishes its round first.
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !draining_; });
  }
  {
    std::lock_guard<std::recursive_mutex> lock(life_->mu);  // waits for a store callback in progress
    life_->alive = false;
  }
  for (auto& [id, sink] : frameworks_) sink->close();
  for (auto& [id, sink] : agents_) sink->close();
  for (auto& sink : operators_) sink->close();
  // Replies still waiting for the loop or for a write that will never commit: answer them, so
  // no call is left open (the gRPC server waits for every call before it shuts down).
  std::map<uint64_t, std::function<void(absl::Status)>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(pending_replies_);
  }
  for (auto& [id, abandon] : left) abandon(absl::UnavailableError("the master is shutting down"));
}

void MasterLoop::post(Work work, Wake wake) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(work));
  }
  if (wake == Wake::kLoopThread) cv_.notify_all();
}

void MasterLoop::run() {
  auto& alloc_hist = metrics_.histogram(
      "orch_master_allocation_seconds", "Time taken by one allocation cycle",
      {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1});
  auto& allocation_runs = metrics_.counter("mesos_master_allocation_runs_total",
                                           "Allocation cycles run");
  auto next_tick = std::chrono::steady_clock::now();
  while (true) {
    std::deque<Work> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stopping_) {
        const bool due = std::chrono::steady_clock::now() >= next_tick;
        if (!draining_ && (due || !queue_.empty())) break;
        if (draining_) {
          // Another thread runs the engine (drainHere): it hands over when done, at once if
          // the tick is due.
          if (due) loop_wants_turn_ = true;
          if (due) {
            cv_.wait(lock);
          } else {
            cv_.wait_until(lock, next_tick);
          }
        } else {
          cv_.wait_until(lock, next_tick);
        }
      }
      loop_wants_turn_ = false;
      if (stopping_) return;
      draining_ = true;
      batch.swap(queue_);
    }
    for (Work& work : batch) {
      work(engine_, wire::steadyNow());
      settle();
    }
    flushStore();
    if (std::chrono::steady_clock::now() >= next_tick) {
      const core::TimePoint now = wire::steadyNow();
      const uint64_t runs_before = engine_.counters().allocation_runs;
      auto started = std::chrono::steady_clock::now();
      engine_.tick(now);
      if (engine_.counters().allocation_runs != runs_before) {
        alloc_hist.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        allocation_runs.inc();
      }
      settle();
      flushStore();
      if (now - last_heartbeat_ >= options_.heartbeat_interval) {
        last_heartbeat_ = now;
        v1::Event hb;
        hb.set_type(v1::Event::HEARTBEAT);
        for (auto& [id, sink] : frameworks_) sink->push(hb);
        v1::OperatorEvent ohb;
        ohb.set_type(v1::OperatorEvent::HEARTBEAT);
        broadcast(ohb);
      }
      if (now - last_gauges_ >= std::chrono::milliseconds(500)) {
        last_gauges_ = now;
        updateGauges();
        broadcastAllocationChanges();
      }
      next_tick = std::chrono::steady_clock::now() + kTickInterval;
    }
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = false;
  }
}

void MasterLoop::drainHere() {
  std::unique_lock<std::mutex> lock(mu_);
  if (draining_ || stopping_ || queue_.empty()) return;  // the one draining takes it
  if (loop_wants_turn_) {  // the tick is due: the loop thread takes the queue with it
    lock.unlock();
    cv_.notify_all();
    return;
  }
  draining_ = true;
  for (int round = 1;; ++round) {
    std::deque<Work> batch;
    batch.swap(queue_);
    lock.unlock();
    for (Work& work : batch) {
      work(engine_, wire::steadyNow());
      settle();
    }
    flushStore();
    lock.lock();
    if (queue_.empty() || stopping_ || loop_wants_turn_ || round >= kInlineRounds) break;
  }
  draining_ = false;
  // The loop thread waits for its turn (tick), for the queue left behind, or to stop.
  const bool wake = loop_wants_turn_ || !queue_.empty() || stopping_;
  lock.unlock();
  if (wake) cv_.notify_all();
}

void MasterLoop::setStore(StateStore* store, std::function<void(absl::Status)> on_failure) {
  store_ = store;
  on_store_failure_ = std::move(on_failure);
}

absl::StatusOr<std::vector<std::string>> MasterLoop::recoverFromStore() {
  if (!store_) return absl::FailedPreconditionError("no store to recover from");
  auto loaded = store_->load();
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(), absl::StrCat("cannot read the registry from ",
                                                             store_->describe(), ": ",
                                                             loaded.status().message()));
  }
  std::vector<std::string> problems = loaded->problems;
  DecodedRegistry decoded = decodeRegistry(loaded->entries, wire::steadyNow());
  for (size_t i = 0; i < decoded.bad_keys.size(); ++i) {
    problems.push_back(absl::StrCat(store_->locate(decoded.bad_keys[i]), ": ", decoded.problems[i],
                                    "; skipped and removed"));
  }
  auto engine_problems = engine_.recover(decoded.state, wire::steadyNow());
  problems.insert(problems.end(), engine_problems.begin(), engine_problems.end());
  // Repair: drop the unreadable entries (the object is rewritten if it comes back, e.g. when
  // its agent re-registers), and write what recovery itself changed.
  std::vector<StoreWrite> repairs;
  for (const std::string& key : decoded.bad_keys) repairs.push_back({key, std::nullopt});
  for (StoreWrite& w : encodeDelta(engine_, engine_.takeRegistryDelta())) repairs.push_back(std::move(w));
  if (!repairs.empty()) {
    std::promise<absl::Status> written;
    store_->write(std::move(repairs), [&written](absl::Status s) { written.set_value(s); });
    if (auto s = written.get_future().get(); !s.ok()) return s;
  }
  engine_.takeEffects();
  orch::log::logInfo("registry recovered",
                     {{"store", store_->describe()},
                      {"agents", engine_.agents().size()},
                      {"frameworks", engine_.frameworks().size()},
                      {"tasks", engine_.tasks().size()},
                      {"problems", problems.size()}});
  for (const std::string& p : problems) orch::log::logWarn("registry entry problem", {{"problem", p}});
  return problems;
}

void MasterLoop::settle() {
  if (store_) pending_delta_.merge(engine_.takeRegistryDelta());
  route(engine_.takeEffects());
  for (auto& action : deferred_) hold(std::move(action));
  deferred_.clear();
  releaseReady();
}

void MasterLoop::hold(std::function<void()> action) {
  // Wait for the write that will carry the pending changes, or for the one in flight.
  const uint64_t barrier = pending_delta_.empty() ? issued_seq_ : issued_seq_ + 1;
  outbox_.emplace_back(barrier, std::move(action));
}

void MasterLoop::releaseReady() {
  if (store_failed_) return;
  while (!outbox_.empty() && outbox_.front().first <= committed_seq_) {
    auto action = std::move(outbox_.front().second);
    outbox_.pop_front();
    action();
  }
}

void MasterLoop::flushStore() {
  if (!store_ || write_in_flight_ || store_failed_ || pending_delta_.empty()) return;
  std::vector<StoreWrite> writes = encodeDelta(engine_, pending_delta_);
  metrics_.histogram("orch_master_registry_batch_entries", "Registry entries per store write",
                     {1, 10, 100, 1000, 10000}).observe(static_cast<double>(writes.size()));
  pending_delta_ = core::RegistryDelta{};
  const uint64_t seq = ++issued_seq_;
  write_in_flight_ = true;
  write_started_ = std::chrono::steady_clock::now();
  store_->write(std::move(writes), [this, seq, life = life_](absl::Status status) {
    // On the store's thread, which holds no lock of ours: it releases what waited for this
    // write itself when the engine is idle. Not after stop(): the store outlives the loop, and
    // completes what is in flight when it closes.
    std::lock_guard<std::recursive_mutex> lock(life->mu);
    if (!life->alive) return;
    post([this, seq, status](core::MasterEngine&, core::TimePoint) { onCommitted(seq, status); },
         Wake::kCallerDrains);
    drainHere();
  });
}

void MasterLoop::onCommitted(uint64_t seq, const absl::Status& status) {
  write_in_flight_ = false;
  metrics_.histogram("orch_master_registry_write_seconds",
                     "Time from handing registry changes to the store until they are durable",
                     {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1})
      .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - write_started_).count());
  if (!status.ok()) {
    store_failed_ = true;
    metrics_.counter("orch_master_registry_write_failures_total", "Registry writes that failed").inc();
    orch::log::logError("registry write failed; this master stops acting",
                        {{"store", store_->describe()}, {"error", std::string(status.message())}});
    if (on_store_failure_) on_store_failure_(status);
    return;
  }
  committed_seq_ = seq;
  releaseReady();
  flushStore();
}

void MasterLoop::route(std::vector<core::Effect> effects) {
  for (core::Effect& effect : effects) {
    std::visit(
        Overloaded{
            [&](core::SendOffers& e) {
              v1::Event event;
              event.set_type(v1::Event::OFFERS);
              for (const auto& offer : e.offers) {
                auto a = engine_.agents().find(offer.agent);
                *event.mutable_offers()->add_offers() =
                    offerToProto(offer, a == engine_.agents().end() ? nullptr : &a->second);
              }
              sendToFramework(e.framework, std::move(event));
            },
            [&](core::SendRescind& e) {
              v1::Event event;
              event.set_type(v1::Event::RESCIND);
              event.mutable_rescind()->set_offer_id(e.offer.value());
              sendToFramework(e.framework, std::move(event));
            },
            [&](core::SendStatusToFramework& e) {
              v1::Event event;
              event.set_type(v1::Event::UPDATE);
              *event.mutable_update()->mutable_status() = wire::statusToProto(e.status);
              // Not held for durability: until the master's acknowledgement (which is held)
              // reaches the agent, the agent keeps the update and sends it again to whichever
              // master leads, so a framework may see it twice (at least once) but never lose it.
              auto it = frameworks_.find(e.framework);
              if (it != frameworks_.end()) it->second->push(std::move(event));
            },
            [&](core::SendFrameworkError& e) {
              v1::Event event;
              event.set_type(v1::Event::ERROR);
              event.mutable_error()->set_message(e.message);
              sendToFramework(e.framework, std::move(event));
            },
            [&](core::SendRunTasks& e) {
              v1::MasterMessage message;
              auto* run = message.mutable_run_tasks();
              run->set_framework_id(e.framework.value());
              auto fw = engine_.frameworks().find(e.framework);
              if (fw != engine_.frameworks().end()) {
                run->mutable_framework()->set_framework_id(e.framework.value());
                run->mutable_framework()->set_name(fw->second.info.name);
                run->mutable_framework()->set_user(fw->second.info.user);
                run->mutable_framework()->set_principal(fw->second.info.principal);
              }
              for (const auto& spec : e.tasks) {
                v1::TaskInfo* info = run->add_tasks();
                info->ParseFromString(spec.payload);
                info->set_agent_id(e.agent.value());
              }
              sendToAgent(e.agent, std::move(message));
            },
            [&](core::SendKillTask& e) {
              v1::MasterMessage message;
              auto* kill = message.mutable_kill_task();
              kill->set_framework_id(e.framework.value());
              kill->set_task_id(e.task.value());
              kill->mutable_kill_policy()->set_grace_period_seconds(
                  std::chrono::duration<double>(e.grace).count());
              sendToAgent(e.agent, std::move(message));
            },
            [&](core::SendAckToAgent& e) {
              v1::MasterMessage message;
              message.mutable_acknowledge()->set_task_id(e.task.value());
              message.mutable_acknowledge()->set_uuid(e.uuid);
              sendToAgent(e.agent, std::move(message));
            },
            [&](core::SendShutdownAgent& e) {
              v1::MasterMessage message;
              message.mutable_shutdown()->set_message(e.message);
              sendToAgent(e.agent, std::move(message));
            },
            [&](core::TaskChanged& e) {
              if (operators_.empty()) return;
              const core::TaskRecord* task = engine_.findTask(e.framework, e.task);
              if (!task) return;
              if (e.added || core::isTerminal(task->state)) allocation_changed_.insert(task->agent);
              v1::OperatorEvent event;
              event.set_type(e.added ? v1::OperatorEvent::TASK_ADDED : v1::OperatorEvent::TASK_UPDATED);
              *event.mutable_task() = taskRecord(engine_, *task);
              broadcast(event);
            },
            [&](core::AgentChanged& e) {
              if (operators_.empty()) return;
              v1::OperatorEvent event;
              event.set_agent_id(e.agent.value());
              auto a = engine_.agents().find(e.agent);
              if (e.kind == core::AgentChanged::kRemoved || a == engine_.agents().end()) {
                event.set_type(v1::OperatorEvent::AGENT_REMOVED);
              } else {
                event.set_type(e.kind == core::AgentChanged::kAdded ? v1::OperatorEvent::AGENT_ADDED
                                                                    : v1::OperatorEvent::AGENT_UPDATED);
                *event.mutable_agent() = agentState(engine_, a->second);
              }
              broadcast(event);
            },
            [&](core::FrameworkChanged& e) {
              if (e.kind == core::FrameworkChanged::kRemoved) {
                auto sink = frameworks_.find(e.framework);
                if (sink != frameworks_.end()) {
                  hold([sink = sink->second] { sink->close(); });
                  frameworks_.erase(sink);
                }
              }
              if (operators_.empty()) return;
              v1::OperatorEvent event;
              event.set_framework_id(e.framework.value());
              auto f = engine_.frameworks().find(e.framework);
              if (e.kind == core::FrameworkChanged::kRemoved || f == engine_.frameworks().end()) {
                event.set_type(v1::OperatorEvent::FRAMEWORK_REMOVED);
              } else {
                event.set_type(e.kind == core::FrameworkChanged::kAdded
                                   ? v1::OperatorEvent::FRAMEWORK_ADDED
                                   : v1::OperatorEvent::FRAMEWORK_UPDATED);
                *event.mutable_framework() = frameworkState(engine_, f->second);
              }
              broadcast(event);
            },
        },
        effect);
  }
}

void MasterLoop::sendToFramework(const core::FrameworkId& id, v1::Event event) {
  auto it = frameworks_.find(id);
  if (it == frameworks_.end()) return;
  hold([sink = it->second, event = std::move(event)]() mutable { sink->push(std::move(event)); });
}

void MasterLoop::sendToAgent(const core::AgentId& id, v1::MasterMessage message) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  hold([sink = it->second, message = std::move(message)]() mutable { sink->push(std::move(message)); });
}

void MasterLoop::broadcast(const v1::OperatorEvent& event) {
  for (auto it = operators_.begin(); it != operators_.end();) {
    if ((*it)->closed()) {
      it = operators_.erase(it);
    } else {
      hold([sink = *it, event] { sink->push(event); });
      ++it;
    }
  }
}

void MasterLoop::attachFramework(const core::FrameworkId& id, std::shared_ptr<FrameworkSink> sink) {
  auto& slot = frameworks_[id];
  if (slot && slot != sink) slot->close();  // a newer subscription replaces the old stream
  slot = std::move(sink);
}

bool MasterLoop::detachFramework(const core::FrameworkId& id,
                                 const std::shared_ptr<FrameworkSink>& sink) {
  auto it = frameworks_.find(id);
  if (it == frameworks_.end() || it->second != sink) return false;
  frameworks_.erase(it);
  return true;
}

void MasterLoop::attachAgent(const core::AgentId& id, std::shared_ptr<AgentSink> sink) {
  auto& slot = agents_[id];
  if (slot && slot != sink) slot->close();
  slot = std::move(sink);
}

bool MasterLoop::detachAgent(const core::AgentId& id, const std::shared_ptr<AgentSink>& sink) {
  auto it = agents_.find(id);
  if (it == agents_.end() || it->second != sink) return false;
  agents_.erase(it);
  return true;
}

void MasterLoop::attachOperator(std::shared_ptr<OperatorSink> sink) {
  operators_.push_back(std::move(sink));
}

v1::AgentState MasterLoop::agentState(const core::MasterEngine& engine,
                                      const core::AgentRecord& agent) const {
  v1::AgentState out;
  wire::agentInfoToProto(agent.info, out.mutable_agent_info());
  out.set_status(static_cast<v1::AgentState::Status>(agent.status));
  wire::resourcesToProto(agent.info.resources, out.mutable_total_resources());
  wire::resourcesToProto(engine.usedOn(agent.info.id), out.mutable_allocated_resources());
  wire::resourcesToProto(engine.offeredOn(agent.info.id), out.mutable_offered_resources());
  out.set_registered_time(wire::toUnixSeconds(agent.registered));
  out.set_last_heartbeat_time(wire::toUnixSeconds(agent.last_heartbeat));
  return out;
}

v1::FrameworkState MasterLoop::frameworkState(const core::MasterEngine& engine,
                                              const core::FrameworkRecord& framework) const {
  v1::FrameworkState out;
  wire::frameworkInfoToProto(framework.info, out.mutable_framework_info());
  out.set_active(framework.connected);
  out.set_connected(framework.connected);
  wire::resourcesToProto(engine.usedBy(framework.info.id), out.mutable_allocated_resources());
  wire::resourcesToProto(engine.offeredTo(framework.info.id), out.mutable_offered_resources());
  out.set_registered_time(wire::toUnixSeconds(framework.registered));
  return out;
}

v1::TaskRecord MasterLoop::taskRecord(const core::MasterEngine& engine,
                                      const core::TaskRecord& task) const {
  v1::TaskRecord out;
  out.mutable_task_info()->ParseFromString(task.spec.payload);
  out.mutable_task_info()->set_agent_id(task.agent.value());
  out.set_framework_id(task.framework.value());
  out.set_state(static_cast<v1::TaskState>(task.state));
  *out.mutable_latest_status() = wire::statusToProto(task.latest);
  out.mutable_latest_status()->clear_uuid();
  out.set_created_time(wire::toUnixSeconds(task.created));
  out.set_updated_time(wire::toUnixSeconds(task.updated));
  auto a = engine.agents().find(task.agent);
  if (a != engine.agents().end()) out.set_agent_endpoint(a->second.info.endpoint);
  return out;
}

v1::GetState MasterLoop::stateSnapshot(const core::MasterEngine& engine) const {
  v1::GetState state;
  state.set_master_id(options_.master_id);
  state.set_start_time(start_time_);
  for (const auto& [id, agent] : engine.agents()) *state.add_agents() = agentState(engine, agent);
  for (const auto& [id, fw] : engine.frameworks()) {
    *state.add_frameworks() = frameworkState(engine, fw);
  }
  for (const auto& [key, task] : engine.tasks()) *state.add_tasks() = taskRecord(engine, task);
  for (const auto& task : engine.completedTasks()) {
    *state.add_completed_tasks() = taskRecord(engine, task);
  }
  return state;
}

void MasterLoop::broadcastAllocationChanges() {
  if (allocation_changed_.empty()) return;
  if (!operators_.empty()) {
    for (const core::AgentId& id : allocation_changed_) {
      auto a = engine_.agents().find(id);
      if (a == engine_.agents().end()) continue;
      v1::OperatorEvent event;
      event.set_type(v1::OperatorEvent::AGENT_UPDATED);
      event.set_agent_id(id.value());
      *event.mutable_agent() = agentState(engine_, a->second);
      broadcast(event);
    }
  }
  allocation_changed_.clear();
}

void MasterLoop::updateGauges() {
  const auto& counters = engine_.counters();
  metrics_.gauge("mesos_master_uptime_secs", "Seconds since the master started")
      .set(wire::toUnixSeconds(wire::steadyNow()) - start_time_);
  metrics_.gauge("mesos_master_elected", "1 when this master is the leader").set(elected_() ? 1 : 0);
  uint64_t running = 0, staging = 0, unreachable = 0;
  for (const auto& [key, task] : engine_.tasks()) {
    if (task.state == core::TaskState::kRunning) running++;
    if (task.state == core::TaskState::kStaging || task.state == core::TaskState::kStarting) staging++;
    if (task.state == core::TaskState::kUnreachable) unreachable++;
  }
  metrics_.gauge("mesos_master_tasks_running", "Tasks running").set(running);
  metrics_.gauge("mesos_master_tasks_staging", "Tasks staging or starting").set(staging);
  metrics_.gauge("mesos_master_tasks_unreachable", "Tasks on unreachable agents").set(unreachable);
  auto terminal = [&](core::TaskState s) {
    auto it = counters.terminal_tasks.find(s);
    return it == counters.terminal_tasks.end() ? 0.0 : static_cast<double>(it->second);
  };
  metrics_.gauge("mesos_master_tasks_finished", "Tasks finished").set(terminal(core::TaskState::kFinished));
  metrics_.gauge("mesos_master_tasks_failed", "Tasks failed").set(terminal(core::TaskState::kFailed));
  metrics_.gauge("mesos_master_tasks_killed", "Tasks killed").set(terminal(core::TaskState::kKilled));
  metrics_.gauge("mesos_master_tasks_lost", "Tasks lost").set(terminal(core::TaskState::kLost));
  uint64_t active = 0, unreachable_agents = 0;
  for (const auto& [id, agent] : engine_.agents()) {
    if (agent.status == core::AgentStatus::kUnreachable) unreachable_agents++;
    else if (agent.status != core::AgentStatus::kGone) active++;
  }
  metrics_.gauge("mesos_agent_registered", "Agents registered and reachable").set(active);
  metrics_.gauge("mesos_master_agents_unreachable", "Agents unreachable").set(unreachable_agents);
  metrics_.gauge("mesos_master_frameworks_active", "Frameworks connected").set(engine_.frameworks().size());
  metrics_.gauge("mesos_master_offers_outstanding", "Offers not yet answered").set(engine_.offers().size());
  metrics_.gauge("mesos_master_offers_sent", "Offers sent since start").set(counters.offers_sent);
  metrics_.gauge("mesos_master_offers_declined", "Offers declined since start").set(counters.offers_declined);
  metrics_.gauge("mesos_master_offers_accepted", "Offers accepted since start").set(counters.offers_accepted);
  metrics_.gauge("mesos_master_offers_rescinded", "Offers rescinded since start").set(counters.offers_rescinded);
  metrics_.gauge("mesos_master_tasks_launched", "Tasks launched since start").set(counters.tasks_launched);
  metrics_.gauge("mesos_master_invalid_calls", "Calls rejected as invalid since start").set(counters.invalid_calls);
  metrics_.gauge("mesos_master_status_updates", "Status updates received since start").set(counters.status_updates);
  const core::Resources total = engine_.allocator().totalResources();
  const core::Resources allocated = engine_.allocator().allocatedResources();
  for (const char* name : {"cpus", "mem", "disk", "gpus"}) {
    metrics_.gauge("mesos_master_resources_total", "Total resources of reachable agents",
                   {{"resource", name}}).set(total.scalar(name).toDouble());
    metrics_.gauge("mesos_master_resources_allocated", "Resources offered or in use",
                   {{"resource", name}}).set(allocated.scalar(name).toDouble());
  }
}

}  // namespace orch::master
