// MasterEngine: the registry side — which objects changed, and rebuilding from a stored registry.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/master_engine.h"

namespace orch::core {

RegistryDelta MasterEngine::takeRegistryDelta() {
  RegistryDelta out;
  std::swap(out, delta_);
  return out;
}

const std::deque<TaskStatus>* MasterEngine::pendingUpdates(const FrameworkId& framework,
                                                           const TaskId& task) const {
  auto p = pending_.find({framework, task});
  if (p == pending_.end() || p->second.queue.empty()) return nullptr;
  return &p->second.queue;
}

const TaskRecord* MasterEngine::findTaskForRegistry(const FrameworkId& framework,
                                                    const TaskId& task) const {
  if (const TaskRecord* active = findTask(framework, task)) return active;
  if (!pending_.count({framework, task})) return nullptr;
  // Archived just now, most likely: search from the newest end.
  for (auto it = completed_.rbegin(); it != completed_.rend(); ++it) {
    if (it->framework == framework && it->spec.id == task) return &*it;
  }
  return nullptr;
}

std::vector<std::string> MasterEngine::recover(const RegistryState& state, TimePoint now) {
  std::vector<std::string> problems;
  next_agent_ = std::max(next_agent_, state.next_agent);
  next_framework_ = std::max(next_framework_, state.next_framework);

  for (const auto& [role, weight] : state.weights) {
    if (auto s = setWeight(role, weight); !s.ok()) {
      problems.push_back(absl::StrCat("weight of role '", role.value(), "': ", s.message()));
    }
  }
  for (const auto& [role, quota] : state.quotas) {
    if (auto s = setQuota(role, quota); !s.ok()) {
      problems.push_back(absl::StrCat("quota of role '", role.value(), "': ", s.message()));
    }
  }

  for (const FrameworkDescription& info : state.frameworks) {
    if (info.id.empty() || frameworks_.count(info.id)) {
      problems.push_back(absl::StrCat("framework '", info.id.value(), "': empty or duplicate id"));
      continue;
    }
    FrameworkRecord record;
    record.info = info;
    if (record.info.roles.empty()) record.info.roles.push_back(RoleName("*"));
    record.connected = false;
    record.registered = now;
    record.failover_deadline =
        now + std::max(info.failover_timeout, options_.recovery_framework_grace);
    allocator_->addFramework(info.id,
                             FrameworkCapabilities{record.info.roles, info.gpu_resources});
    allocator_->setFrameworkActive(info.id, false);
    frameworks_.emplace(info.id, std::move(record));
  }

  for (const RecoveredAgent& recovered : state.agents) {
    const AgentId& id = recovered.info.id;
    if (id.empty() || agents_.count(id)) {
      problems.push_back(absl::StrCat("agent '", id.value(), "': empty or duplicate id"));
      continue;
    }
    if (recovered.status == AgentStatus::kGone) continue;
    AgentRecord record;
    record.info = recovered.info;
    record.status = recovered.status;
    record.connected = false;
    record.registered = now;
    record.last_heartbeat = now;
    record.dynamic_reservations = recovered.dynamic_reservations;
    record.drain_grace = recovered.drain_grace;
    if (recovered.drain_deadline_remaining) {
      record.drain_deadline = now + *recovered.drain_deadline_remaining;
    }
    if (record.status != AgentStatus::kUnreachable) {
      record.reregister_deadline = now + options_.recovery_agent_grace;
    }
    agents_.emplace(id, std::move(record));
  }

  std::map<AgentId, std::vector<Allocator::UsedResources>> used;
  std::vector<TaskStatus> lost_updates;
  for (const RecoveredTask& recovered : state.tasks) {
    const TaskRecord& task = recovered.record;
    const auto key = std::make_pair(task.framework, task.spec.id);
    const std::string name = absl::StrCat("task '", task.spec.id.value(), "' of framework '",
                                          task.framework.value(), "'");
    auto fw = frameworks_.find(task.framework);
    if (fw == frameworks_.end()) {
      problems.push_back(absl::StrCat(name, ": its framework is not in the registry; skipped"));
      continue;
    }
    if (tasks_.count(key) || pending_.count(key)) {
      problems.push_back(absl::StrCat(name, ": duplicate entry; skipped"));
      continue;
    }
    if (!recovered.pending.empty()) {
      PendingUpdates& pending = pending_[key];
      pending.queue.assign(recovered.pending.begin(), recovered.pending.end());
      pending.next_send = now;
    }
    if (isTerminal(task.state)) {
      completed_.push_back(task);
      continue;
    }
    auto agent = agents_.find(task.agent);
    if (agent == agents_.end()) {
      problems.push_back(absl::StrCat(name, ": its agent '", task.agent.value(),
                                      "' is not in the registry; reported lost"));
      TaskRecord lost = task;
      TaskStatus status = masterStatus(lost, TaskState::kLost, TaskReason::kAgentRemoved,
                                       "the master's registry lost the task's agent", now);
      lost.state = TaskState::kLost;
      lost.latest = status;
      lost.updated = now;
      counters_.terminal_tasks[TaskState::kLost]++;
      completed_.push_back(std::move(lost));
      lost_updates.push_back(std::move(status));
      continue;
    }
    tasks_.emplace(key, task);
    task_owner_[task.spec.id] = task.framework;
    fw->second.tasks.insert(task.spec.id);
    agent->second.tasks.insert(key);
    used[task.agent].push_back({task.framework, task.role, task.spec.resources});
  }
  while (completed_.size() > options_.max_completed_tasks) completed_.pop_front();

  for (auto& [id, agent] : agents_) {
    if (agent.status == AgentStatus::kUnreachable) continue;  // added back when it returns
    allocator_->addAgent(id, allocatorTotal(agent), used[id]);
    allocator_->setAgentActive(id, false);  // until it re-registers
  }
  allocation_due_ = true;
  // The recovered state is what the store holds already: nothing to write back yet.
  delta_ = RegistryDelta{};
  effects_.clear();
  // ...except the tasks found lost: their final update is queued (and so persisted) now.
  for (TaskStatus& status : lost_updates) {
    const FrameworkId framework = status.framework;
    forwardToFramework(framework, std::move(status), now);
  }
  return problems;
}

}  // namespace orch::core
