#include "master_engine.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orch::core {
namespace {

// The agents' rule (agent/containerizer/task_id.h): ids name sandbox directories and cgroups,
// so the master refuses at ACCEPT what an agent would refuse at launch.
constexpr size_t kMaxTaskIdLength = 128;

bool validTaskId(const std::string& id) {
  if (id.empty() || id.size() > kMaxTaskIdLength || !std::isalnum(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  if (id.find("..") != std::string::npos) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

bool validRole(const std::string& role) {
  if (role == "*") return true;
  if (role.empty() || role.size() > 255) return false;
  size_t start = 0;
  while (start <= role.size()) {
    size_t end = role.find('/', start);
    if (end == std::string::npos) end = role.size();
    std::string segment = role.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == ".." || segment[0] == '-') return false;
    for (unsigned char c : segment) {
      if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
    }
    start = end + 1;
  }
  return true;
}

// The same resources with every entry's reservation role set to `role`.
Resources withRole(const Resources& resources, const std::string& role) {
  Resources out;
  for (const auto& [key, entry] : resources.entries()) {
    Resources::Entry copy = entry;
    copy.role = role;
    out.add(copy).IgnoreError();
  }
  return out;
}

std::string taskPath(const LaunchOperation& op, size_t op_index, size_t task_index) {
  return op.group ? absl::StrCat("operations[", op_index, "].launch_group.task_group.tasks[",
                                 task_index, "]")
                  : absl::StrCat("operations[", op_index, "].launch.task_infos[", task_index, "]");
}

}  // namespace

MasterEngine::MasterEngine(MasterOptions options)
    : options_(std::move(options)), allocator_(makeHierarchicalDrfAllocator(options_.allocator)) {}

MasterEngine::~MasterEngine() = default;

std::string MasterEngine::nextUuid() { return absl::StrCat(options_.master_id, "-U", next_uuid_++); }

void MasterEngine::addEffect(Effect effect) {
  // Every change the operator stream hears of is a registry change too.
  if (const auto* t = std::get_if<TaskChanged>(&effect)) {
    delta_.tasks.insert({t->framework, t->task});
  } else if (const auto* a = std::get_if<AgentChanged>(&effect)) {
    delta_.agents.insert(a->agent);
  } else if (const auto* f = std::get_if<FrameworkChanged>(&effect)) {
    delta_.frameworks.insert(f->framework);
  }
  effects_.push_back(std::move(effect));
}

Resources MasterEngine::allocatorTotal(const AgentRecord& agent) const {
  if (agent.dynamic_reservations.empty()) return agent.info.resources;
  Resources total = agent.info.resources;
  const Resources unreserved = withRole(agent.dynamic_reservations, "*");
  if (total.contains(unreserved)) {
    total -= unreserved;
    total += agent.dynamic_reservations;
  }
  return total;
}

std::vector<Effect> MasterEngine::takeEffects() {
  std::vector<Effect> out;
  out.swap(effects_);
  return out;
}

// ---------------------------------------------------------------- agents

AgentId MasterEngine::registerAgent(const AgentDescription& description, TimePoint now) {
  AgentId id(absl::StrCat(options_.master_id, "-S", next_agent_++));
  delta_.meta = true;
  AgentRecord record;
  record.info = description;
  record.info.id = id;
  record.registered = now;
  record.last_heartbeat = now;
  agents_.emplace(id, std::move(record));
  allocator_->addAgent(id, description.resources, {});
  allocation_due_ = true;
  addEffect(AgentChanged{id, AgentChanged::kAdded});
  return id;
}

absl::Status MasterEngine::reregisterAgent(const AgentDescription& description,
                                           const std::vector<ReportedTask>& reported,
                                           TimePoint now) {
  if (description.id.empty()) {
    return absl::InvalidArgumentError("agent_info.agent_id: must be set to re-register");
  }
  const AgentId id = description.id;
  auto it = agents_.find(id);
  bool added = it == agents_.end();
  if (!added && it->second.status == AgentStatus::kGone) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", id.value(), " was marked gone; register as a new agent"));
  }
  if (added) {
    AgentRecord record;
    record.registered = now;
    it = agents_.emplace(id, std::move(record)).first;
  } else {
    rescindAgentOffers(id, now);
    allocator_->removeAgent(id);
  }
  AgentRecord& agent = it->second;
  agent.info = description;
  agent.reregister_deadline.reset();
  agent.connected = true;
  agent.last_heartbeat = now;
  if (agent.status == AgentStatus::kUnreachable) agent.status = AgentStatus::kActive;

  std::unordered_set<TaskKey, TaskKeyHash> seen;
  seen.reserve(reported.size());
  for (const ReportedTask& r : reported) {
    auto key = std::make_pair(r.framework, r.spec.id);
    seen.insert(key);
    auto fw = frameworks_.find(r.framework);
    if (fw == frameworks_.end()) {
      // A framework this master has not seen (e.g. after a master restart): keep its tasks
      // and wait for it to resubscribe.
      FrameworkRecord placeholder;
      placeholder.info.id = r.framework;
      placeholder.info.name = "(recovered)";
      placeholder.info.roles = {RoleName("*")};
      placeholder.connected = false;
      placeholder.registered = now;
      placeholder.failover_deadline = now + std::chrono::minutes(10);
      fw = frameworks_.emplace(r.framework, std::move(placeholder)).first;
      allocator_->addFramework(r.framework, FrameworkCapabilities{{RoleName("*")}, true});
      allocator_->setFrameworkActive(r.framework, false);
      addEffect(FrameworkChanged{r.framework, FrameworkChanged::kAdded});
    }
    auto t = tasks_.find(key);
    if (t == tasks_.end()) {
      TaskRecord record;
      record.spec = r.spec;
      record.framework = r.framework;
      record.agent = id;
      record.role = fw->second.info.roles.empty() ? RoleName("*") : fw->second.info.roles.front();
      record.state = TaskState::kStaging;
      record.created = now;
      record.updated = now;
      t = tasks_.emplace(key, std::move(record)).first;
      task_owner_[r.spec.id] = r.framework;
      fw->second.tasks.insert(r.spec.id);
      agent.tasks.insert(key);
      addEffect(TaskChanged{r.framework, r.spec.id, true});
    }
    TaskRecord& task = t->second;
    if (task.state != r.status.state && isValidTransition(task.state, r.status.state)) {
      TaskStatus status = r.status;
      status.agent = id;
      status.framework = r.framework;
      status.reason = status.reason == TaskReason::kNone ? TaskReason::kReconciliation : status.reason;
      // Resources are re-added to the allocator below from the task table, so a terminal
      // update here must not recover them twice: handle it after the allocator knows the agent.
      if (!isTerminal(status.state)) updateTask(task, std::move(status), now);
    }
  }

  // Tasks the master placed on this agent that the agent does not know were lost.
  std::vector<std::pair<FrameworkId, TaskId>> lost;
  for (const auto& key : agent.tasks) {
    if (!seen.count(key)) lost.push_back(key);
  }

  std::vector<Allocator::UsedResources> used;
  for (const auto& key : agent.tasks) {
    auto t = tasks_.find(key);
    if (t == tasks_.end()) continue;
    used.push_back({t->second.framework, t->second.role, t->second.spec.resources});
  }
  allocator_->addAgent(id, allocatorTotal(agent), used);
  bool active = agent.status == AgentStatus::kActive;
  allocator_->setAgentActive(id, active);

  for (const auto& key : lost) {
    auto t = tasks_.find(key);
    if (t == tasks_.end()) continue;
    updateTask(t->second,
               masterStatus(t->second, TaskState::kLost, TaskReason::kAgentRestarted,
                            "the agent re-registered without this task", now),
               now);
  }
  for (const ReportedTask& r : reported) {
    if (!isTerminal(r.status.state)) continue;
    auto t = tasks_.find({r.framework, r.spec.id});
    if (t == tasks_.end()) continue;
    TaskStatus status = r.status;
    status.agent = id;
    status.framework = r.framework;
    updateTask(t->second, std::move(status), now);
  }
  allocation_due_ = true;
  addEffect(AgentChanged{id, added ? AgentChanged::kAdded : AgentChanged::kUpdated});
  return absl::OkStatus();
}

absl::Status MasterEngine::heartbeat(const AgentId& agent, TimePoint now) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown agent ", agent.value(), "; re-register"));
  }
  if (it->second.status == AgentStatus::kUnreachable || it->second.status == AgentStatus::kGone) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", agent.value(), " was marked unreachable; re-register"));
  }
  it->second.last_heartbeat = now;
  return absl::OkStatus();
}

void MasterEngine::agentDisconnected(const AgentId& agent, TimePoint now) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return;
  it->second.connected = false;
  rescindAgentOffers(agent, now);
  allocator_->setAgentActive(agent, false);
  addEffect(AgentChanged{agent, AgentChanged::kUpdated});
}

absl::Status MasterEngine::statusUpdate(const AgentId& agent, const TaskStatus& status,
                                        TimePoint now) {
  auto a = agents_.find(agent);
  if (a == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown agent ", agent.value(), "; re-register"));
  }
  if (a->second.status == AgentStatus::kUnreachable || a->second.status == AgentStatus::kGone) {
    // Not acknowledged: the agent keeps the update, re-registers (reporting every task's
    // state, which settles the task as a reconciliation) and sends it again.
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", agent.value(), " was marked unreachable; re-register"));
  }
  if (status.task.empty()) return absl::InvalidArgumentError("status.task_id: must not be empty");
  if (status.state == TaskState::kUnknown) {
    return absl::InvalidArgumentError("status.state: must be a task state");
  }
  counters_.status_updates++;
  if (!status.uuid.empty()) addEffect(SendAckToAgent{agent, status.task, status.uuid});

  FrameworkId framework = status.framework;
  if (framework.empty()) {
    auto owner = task_owner_.find(status.task);
    if (owner != task_owner_.end()) framework = owner->second;
  }
  auto t = tasks_.find({framework, status.task});
  if (t == tasks_.end()) {
    // Unknown here (already final, or its framework was torn down): a live task the master
    // does not know must not keep running.
    if (!isTerminal(status.state)) {
      addEffect(SendKillTask{agent, framework, status.task, std::chrono::seconds(3)});
    }
    return absl::OkStatus();
  }
  TaskRecord& task = t->second;
  if (task.agent != agent) {
    return absl::FailedPreconditionError(absl::StrCat(
        "status.task_id: task ", status.task.value(), " runs on agent ", task.agent.value()));
  }
  if (!isValidTransition(task.state, status.state)) return absl::OkStatus();  // stale duplicate
  TaskStatus copy = status;
  copy.framework = framework;
  copy.agent = agent;
  updateTask(task, std::move(copy), now);
  return absl::OkStatus();
}

absl::Status MasterEngine::drainAgent(const AgentId& agent, Duration max_grace, TimePoint now,
                                      std::optional<Duration> deadline) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("agent_id: unknown agent '", agent.value(), "'"));
  }
  AgentRecord& record = it->second;
  if (record.status == AgentStatus::kGone) {
    return absl::FailedPreconditionError(absl::StrCat("agent ", agent.value(), " is gone"));
  }
  if (deadline && *deadline < Duration::zero()) {
    return absl::InvalidArgumentError("deadline_seconds: must not be negative");
  }
  record.status = record.tasks.empty() ? AgentStatus::kDrained : AgentStatus::kDraining;
  record.drain_grace = max_grace;
  rescindAgentOffers(agent, now);
  allocator_->setAgentActive(agent, false);
  if (deadline && *deadline > Duration::zero() && !record.tasks.empty()) {
    record.drain_deadline = now + *deadline;  // tick() kills what still runs then
  } else {
    record.drain_deadline.reset();
    killAgentTasks(record, now);
  }
  addEffect(AgentChanged{agent, AgentChanged::kUpdated});
  return absl::OkStatus();
}

void MasterEngine::killAgentTasks(AgentRecord& record, TimePoint now) {
  std::vector<std::pair<FrameworkId, TaskId>> keys(record.tasks.begin(), record.tasks.end());
  for (const auto& key : keys) {
    auto t = tasks_.find(key);
    if (t == tasks_.end()) continue;
    std::optional<Duration> grace;
    if (record.drain_grace > Duration::zero()) {
      grace = std::min(record.drain_grace, t->second.spec.kill_grace);
    }
    killTask(t->second, grace, now);
  }
}

absl::Status MasterEngine::reactivateAgent(const AgentId& agent, TimePoint now) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("agent_id: unknown agent '", agent.value(), "'"));
  }
  AgentRecord& record = it->second;
  if (record.status != AgentStatus::kDraining && record.status != AgentStatus::kDrained) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", agent.value(), " is not draining or drained"));
  }
  record.status = AgentStatus::kActive;
  record.drain_deadline.reset();
  allocator_->setAgentActive(agent, record.connected);
  allocation_due_ = true;
  (void)now;
  addEffect(AgentChanged{agent, AgentChanged::kUpdated});
  return absl::OkStatus();
}

void MasterEngine::markUnreachable(AgentRecord& agent, TimePoint now) {
  agent.reregister_deadline.reset();
  agent.status = AgentStatus::kUnreachable;
  agent.connected = false;
  rescindAgentOffers(agent.info.id, now);
  // Its capacity is gone from the fairness pool until it re-registers (as Mesos removes an
  // unreachable agent from its allocator); re-registration adds it back with its tasks.
  allocator_->removeAgent(agent.info.id);
  std::vector<std::pair<FrameworkId, TaskId>> keys(agent.tasks.begin(), agent.tasks.end());
  for (const auto& key : keys) {
    auto t = tasks_.find(key);
    if (t == tasks_.end() || t->second.state == TaskState::kUnreachable) continue;
    updateTask(t->second,
               masterStatus(t->second, TaskState::kUnreachable, TaskReason::kAgentUnreachable,
                            "the agent missed its heartbeats", now),
               now);
  }
  addEffect(AgentChanged{agent.info.id, AgentChanged::kUpdated});
}

// ---------------------------------------------------------------- frameworks

absl::StatusOr<FrameworkId> MasterEngine::subscribe(const FrameworkDescription& description,
                                                    TimePoint now) {
  std::vector<RoleName> roles = description.roles;
  if (roles.empty()) roles.push_back(RoleName("*"));
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!validRole(roles[i].value())) {
      return absl::InvalidArgumentError(
          absl::StrCat("framework_info.roles[", i, "]: invalid role '", roles[i].value(), "'"));
    }
  }
  if (description.failover_timeout < Duration::zero()) {
    return absl::InvalidArgumentError("framework_info.failover_timeout: must not be negative");
  }
  FrameworkId id = description.id;
  auto it = id.empty() ? frameworks_.end() : frameworks_.find(id);
  if (it != frameworks_.end()) {
    FrameworkRecord& record = it->second;
    record.info = description;
    record.info.roles = roles;
    record.connected = true;
    record.failover_deadline.reset();
    allocator_->setFrameworkActive(id, true);
    allocation_due_ = true;
    // Resend what it has not acknowledged.
    for (auto& [key, pending] : pending_) {
      if (key.first == id && !pending.queue.empty()) sendHead(id, pending, now);
    }
    addEffect(FrameworkChanged{id, FrameworkChanged::kUpdated});
    return id;
  }
  if (id.empty()) {
    id = FrameworkId(absl::StrCat(options_.master_id, "-F", next_framework_++));
    delta_.meta = true;
  }
  FrameworkRecord record;
  record.info = description;
  record.info.id = id;
  record.info.roles = roles;
  record.registered = now;
  frameworks_.emplace(id, std::move(record));
  allocator_->addFramework(id, FrameworkCapabilities{roles, description.gpu_resources});
  allocation_due_ = true;
  addEffect(FrameworkChanged{id, FrameworkChanged::kAdded});
  return id;
}

void MasterEngine::frameworkDisconnected(const FrameworkId& framework, TimePoint now) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  FrameworkRecord& record = it->second;
  record.connected = false;
  rescindFrameworkOffers(framework, now);
  allocator_->setFrameworkActive(framework, false);
  if (record.info.failover_timeout <= Duration::zero()) {
    removeFramework(framework, now);
    return;
  }
  record.failover_deadline = now + record.info.failover_timeout;
  addEffect(FrameworkChanged{framework, FrameworkChanged::kUpdated});
}

absl::Status MasterEngine::validateAccept(const FrameworkRecord& framework,
                                          const std::vector<OfferId>& offer_ids,
                                          const std::vector<LaunchOperation>& operations,
                                          Resources& offered_total, AgentId& agent,
                                          RoleName& role) const {
  if (offer_ids.empty()) {
    return absl::InvalidArgumentError("offer_ids: must name at least one offer");
  }
  std::set<OfferId> named;
  for (size_t i = 0; i < offer_ids.size(); ++i) {
    const OfferId& id = offer_ids[i];
    auto o = offers_.find(id);
    if (o == offers_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("offer_ids[", i, "]: unknown or expired offer '", id.value(), "'"));
    }
    if (!named.insert(id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("offer_ids[", i, "]: offer '", id.value(), "' is named twice"));
    }
    if (o->second.framework != framework.info.id) {
      return absl::InvalidArgumentError(
          absl::StrCat("offer_ids[", i, "]: offer '", id.value(), "' belongs to another framework"));
    }
    if (i == 0) {
      agent = o->second.agent;
      role = o->second.role;
    } else if (o->second.agent != agent) {
      return absl::InvalidArgumentError(absl::StrCat(
          "offer_ids[", i, "]: offer '", id.value(), "' is on agent ", o->second.agent.value(),
          " but offer_ids[0] is on agent ", agent.value(), " (one agent per accept)"));
    } else if (o->second.role != role) {
      return absl::InvalidArgumentError(absl::StrCat(
          "offer_ids[", i, "]: offer '", id.value(), "' is allocated to role ",
          o->second.role.value(), " but offer_ids[0] to role ", role.value()));
    }
    offered_total += o->second.resources;
  }

  Resources remaining = offered_total;
  std::set<TaskId> ids;
  for (size_t i = 0; i < operations.size(); ++i) {
    const LaunchOperation& op = operations[i];
    if (op.type != LaunchOperation::Type::kLaunch) {
      const bool reserve = op.type == LaunchOperation::Type::kReserve;
      const std::string path =
          absl::StrCat("operations[", i, "].", reserve ? "reserve" : "unreserve", ".resources");
      if (op.resources.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": must name resources"));
      }
      if (reserve && role.value() == "*") {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": the offers are allocated to role '*'; reserving needs a framework role"));
      }
      for (const auto& [key, entry] : op.resources.entries()) {
        if (reserve && entry.role != role.value()) {
          return absl::InvalidArgumentError(absl::StrCat(path, ": '", entry.name,
                                                         "' must be reserved to the offers' role '",
                                                         role.value(), "'"));
        }
        if (!reserve && entry.role == "*") {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": '", entry.name, "' is not a reserved resource"));
        }
      }
      const Resources from = reserve ? withRole(op.resources, "*") : op.resources;
      const Resources to = reserve ? op.resources : withRole(op.resources, "*");
      if (!remaining.contains(from)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": ", from.toString(),
                                                       " is not in what remains of the offers (",
                                                       remaining.toString(), ")"));
      }
      remaining -= from;
      remaining += to;
      continue;
    }
    if (op.tasks.empty()) {
      return absl::InvalidArgumentError(
          op.group ? absl::StrCat("operations[", i, "].launch_group.task_group.tasks: empty group")
                   : absl::StrCat("operations[", i, "].launch.task_infos: no tasks to launch"));
    }
    Resources group_total;
    for (size_t j = 0; j < op.tasks.size(); ++j) {
      const TaskSpec& task = op.tasks[j];
      const std::string path = taskPath(op, i, j);
      if (task.id.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ".task_id: must not be empty"));
      }
      if (!validTaskId(task.id.value())) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".task_id: '", task.id.value(),
            "' must start with a letter or digit, hold only letters, digits, '-', '_' and '.', "
            "no '..', at most 128 characters"));
      }
      if (!ids.insert(task.id).second || framework.tasks.count(task.id)) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".task_id: '", task.id.value(), "' is already in use by this framework"));
      }
      if (task.payload.size() > options_.max_task_info_bytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": the TaskInfo is ", task.payload.size(), " bytes; the limit is ",
            options_.max_task_info_bytes, " (large data belongs in a URI or a volume)"));
      }
      if (j < op.task_agent_ids.size() && !op.task_agent_ids[j].empty() &&
          op.task_agent_ids[j] != agent.value()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ".agent_id: '", op.task_agent_ids[j],
                                                       "' is not the offers' agent '",
                                                       agent.value(), "'"));
      }
      if (task.resources.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".resources: a task needs resources (e.g. cpus and mem)"));
      }
      if (task.kill_grace < Duration::zero()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".kill_policy.grace_period_seconds: must not be negative"));
      }
      group_total += task.resources;
      if (!remaining.contains(group_total)) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".resources: ", task.resources.toString(),
            " exceed what remains of the offers (", (remaining - (group_total - task.resources)).toString(),
            ")"));
      }
    }
    remaining -= group_total;
  }
  return absl::OkStatus();
}

absl::Status MasterEngine::accept(const FrameworkId& framework_id,
                                  const std::vector<OfferId>& offer_ids,
                                  const std::vector<LaunchOperation>& operations,
                                  std::optional<Duration> refuse, TimePoint now) {
  auto fw = frameworks_.find(framework_id);
  if (fw == frameworks_.end()) {
    counters_.invalid_calls++;
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework_id.value(), "'"));
  }
  FrameworkRecord& framework = fw->second;
  Resources offered;
  AgentId agent;
  RoleName role;
  absl::Status valid = validateAccept(framework, offer_ids, operations, offered, agent, role);
  if (!valid.ok()) {
    counters_.invalid_calls++;
    // The framework's offers named here are used up either way; their resources go back.
    for (const OfferId& id : offer_ids) {
      auto o = offers_.find(id);
      if (o != offers_.end() && o->second.framework == framework_id) rescindOffer(id, true, now);
    }
    return absl::InvalidArgumentError(
        absl::StrCat(valid.message(), "; the offers were returned to the cluster"));
  }
  for (const OfferId& id : offer_ids) {
    framework.offers.erase(id);
    offers_.erase(id);
  }
  counters_.offers_accepted += offer_ids.size();

  Resources used;
  for (const LaunchOperation& op : operations) {
    if (op.type != LaunchOperation::Type::kLaunch) {
      const bool reserve = op.type == LaunchOperation::Type::kReserve;
      const Resources from = reserve ? withRole(op.resources, "*") : op.resources;
      const Resources to = reserve ? op.resources : withRole(op.resources, "*");
      absl::Status applied =
          reserve ? allocator_->reserve(agent, from, role, framework_id)
                  : allocator_->unreserve(agent, op.resources, framework_id);
      if (!applied.ok()) {
        counters_.invalid_calls++;
        return absl::Status(applied.code(), absl::StrCat(reserve ? "reserve" : "unreserve",
                                                         ": ", applied.message()));
      }
      offered -= from;
      offered += to;
      AgentRecord& target = agents_[agent];
      if (reserve) {
        target.dynamic_reservations += op.resources;
      } else if (target.dynamic_reservations.contains(op.resources)) {
        target.dynamic_reservations -= op.resources;
      }
      delta_.agents.insert(agent);
      continue;
    }
    SendRunTasks run{agent, framework_id, {}};
    for (const TaskSpec& spec : op.tasks) {
      auto key = std::make_pair(framework_id, spec.id);
      TaskRecord record;
      record.spec = spec;
      record.framework = framework_id;
      record.agent = agent;
      record.role = role;
      record.state = TaskState::kStaging;
      record.created = now;
      record.updated = now;
      record.latest = masterStatus(record, TaskState::kStaging, TaskReason::kNone, "", now);
      tasks_.emplace(key, std::move(record));
      task_owner_[spec.id] = framework_id;
      framework.tasks.insert(spec.id);
      agents_[agent].tasks.insert(key);
      used += spec.resources;
      counters_.tasks_launched++;
      addEffect(TaskChanged{framework_id, spec.id, true});
      if (op.group) {
        run.tasks.push_back(spec);
      } else {
        addEffect(SendRunTasks{agent, framework_id, {spec}});
      }
    }
    if (op.group) addEffect(std::move(run));
  }
  Resources unused = offered - used;
  if (!unused.empty()) {
    allocator_->recoverResources(framework_id, agent, unused,
                                 refuse.value_or(options_.default_refuse), now);
  }
  if (operations.empty()) counters_.offers_declined += offer_ids.size();
  allocation_due_ = true;
  return absl::OkStatus();
}

absl::Status MasterEngine::decline(const FrameworkId& framework,
                                   const std::vector<OfferId>& offer_ids,
                                   std::optional<Duration> refuse, TimePoint now) {
  if (!frameworks_.count(framework)) {
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework.value(), "'"));
  }
  std::vector<std::string> unknown;
  for (const OfferId& id : offer_ids) {
    auto o = offers_.find(id);
    if (o == offers_.end() || o->second.framework != framework) {
      unknown.push_back(id.value());
      continue;
    }
    OfferRecord offer = o->second;
    offers_.erase(o);
    frameworks_[framework].offers.erase(id);
    allocator_->recoverResources(framework, offer.agent, offer.resources,
                                 refuse.value_or(options_.default_refuse), now);
    counters_.offers_declined++;
  }
  allocation_due_ = true;
  if (!unknown.empty()) {
    return absl::NotFoundError(
        absl::StrCat("offer_ids: unknown or expired offers: ", absl::StrJoin(unknown, ", ")));
  }
  return absl::OkStatus();
}

absl::Status MasterEngine::revive(const FrameworkId& framework, TimePoint) {
  if (!frameworks_.count(framework)) {
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework.value(), "'"));
  }
  allocator_->revive(framework);
  allocation_due_ = true;
  return absl::OkStatus();
}

absl::Status MasterEngine::suppress(const FrameworkId& framework, TimePoint) {
  if (!frameworks_.count(framework)) {
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework.value(), "'"));
  }
  allocator_->suppress(framework);
  return absl::OkStatus();
}

void MasterEngine::killTask(TaskRecord& task, std::optional<Duration> grace, TimePoint now) {
  if (isTerminal(task.state)) return;
  if (task.state == TaskState::kUnreachable) {
    // Nothing can reach it; the agent will be told when it comes back (unknown task -> kill).
    return;
  }
  addEffect(SendKillTask{task.agent, task.framework, task.spec.id, grace.value_or(task.spec.kill_grace)});
  if (task.state != TaskState::kKilling) {
    updateTask(task,
               masterStatus(task, TaskState::kKilling, TaskReason::kKilledByRequest,
                            "kill requested", now),
               now);
  }
}

absl::Status MasterEngine::kill(const FrameworkId& framework, const TaskId& task_id,
                                std::optional<Duration> grace, TimePoint now) {
  if (!frameworks_.count(framework)) {
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework.value(), "'"));
  }
  auto t = tasks_.find({framework, task_id});
  if (t == tasks_.end()) {
    return absl::NotFoundError(
        absl::StrCat("task_id: no active task '", task_id.value(), "' in this framework"));
  }
  killTask(t->second, grace, now);
  return absl::OkStatus();
}

absl::Status MasterEngine::operatorKill(const TaskId& task_id, std::optional<Duration> grace,
                                        TimePoint now) {
  auto owner = task_owner_.find(task_id);
  if (owner == task_owner_.end()) {
    return absl::NotFoundError(absl::StrCat("task_id: no active task '", task_id.value(), "'"));
  }
  return kill(owner->second, task_id, grace, now);
}

absl::Status MasterEngine::acknowledge(const FrameworkId& framework, const TaskId& task,
                                       const std::string& uuid, TimePoint now) {
  auto p = pending_.find({framework, task});
  if (p == pending_.end() || p->second.queue.empty()) {
    return absl::NotFoundError(absl::StrCat("uuid: no unacknowledged update for task '",
                                            task.value(), "'"));
  }
  if (p->second.queue.front().uuid != uuid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "uuid: does not match the pending update of task '", task.value(), "'"));
  }
  p->second.queue.pop_front();
  touchTask(framework, task);
  if (p->second.queue.empty()) {
    pending_.erase(p);
  } else {
    sendHead(framework, p->second, now);
  }
  return absl::OkStatus();
}

absl::Status MasterEngine::reconcile(const FrameworkId& framework,
                                     const std::vector<TaskId>& task_ids, TimePoint now) {
  auto fw = frameworks_.find(framework);
  if (fw == frameworks_.end()) {
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework.value(), "'"));
  }
  auto send = [&](TaskStatus status) {
    status.uuid.clear();  // reconciliation answers need no acknowledgement
    status.reason = TaskReason::kReconciliation;
    status.time = now;
    addEffect(SendStatusToFramework{framework, std::move(status)});
  };
  if (task_ids.empty()) {
    for (const TaskId& id : fw->second.tasks) send(tasks_.at({framework, id}).latest);
    return absl::OkStatus();
  }
  for (const TaskId& id : task_ids) {
    if (const TaskRecord* task = findTask(framework, id)) {
      send(task->latest);
    } else {
      TaskStatus unknown;
      unknown.task = id;
      unknown.framework = framework;
      unknown.state = TaskState::kUnknown;
      unknown.message = "the master does not know this task";
      send(std::move(unknown));
    }
  }
  return absl::OkStatus();
}

absl::Status MasterEngine::teardown(const FrameworkId& framework, TimePoint now) {
  if (!frameworks_.count(framework)) {
    return absl::NotFoundError(
        absl::StrCat("framework_id: unknown framework '", framework.value(), "'"));
  }
  removeFramework(framework, now);
  return absl::OkStatus();
}

void MasterEngine::removeFramework(const FrameworkId& framework, TimePoint now) {
  auto fw = frameworks_.find(framework);
  if (fw == frameworks_.end()) return;
  rescindFrameworkOffers(framework, now);
  std::vector<TaskId> ids(fw->second.tasks.begin(), fw->second.tasks.end());
  for (const TaskId& id : ids) {
    auto t = tasks_.find({framework, id});
    if (t == tasks_.end()) continue;
    if (t->second.state != TaskState::kUnreachable) {
      addEffect(SendKillTask{t->second.agent, framework, id, t->second.spec.kill_grace});
    }
    updateTask(t->second,
               masterStatus(t->second, TaskState::kKilled, TaskReason::kFrameworkRemoved,
                            "the framework was torn down", now),
               now);
  }
  for (auto p = pending_.begin(); p != pending_.end();) {
    if (p->first.first == framework) {
      touchTask(p->first.first, p->first.second);
      p = pending_.erase(p);
    } else {
      ++p;
    }
  }
  allocator_->removeFramework(framework);
  frameworks_.erase(framework);
  allocation_due_ = true;
  addEffect(FrameworkChanged{framework, FrameworkChanged::kRemoved});
}

absl::Status MasterEngine::setWeight(const RoleName& role, double weight) {
  if (!validRole(role.value()) || role.value() == "*") {
    return absl::InvalidArgumentError(absl::StrCat("role: invalid role '", role.value(), "'"));
  }
  if (!(weight > 0) || weight > 1e6) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight: must be a number above 0 (at most 1e6), got ", weight));
  }
  allocator_->setWeight(role, weight);
  delta_.roles.insert(role);
  allocation_due_ = true;
  return absl::OkStatus();
}

absl::Status MasterEngine::setQuota(const RoleName& role, const Quota& quota) {
  if (!validRole(role.value()) || role.value() == "*") {
    return absl::InvalidArgumentError(absl::StrCat("role: invalid role '", role.value(), "'"));
  }
  absl::Status s = allocator_->setQuota(role, quota);
  if (s.ok()) {
    allocation_due_ = true;
    delta_.roles.insert(role);
  }
  return s;
}

void MasterEngine::removeQuota(const RoleName& role) {
  allocator_->removeQuota(role);
  delta_.roles.insert(role);
  allocation_due_ = true;
}

// ---------------------------------------------------------------- tasks and updates

TaskStatus MasterEngine::masterStatus(const TaskRecord& task, TaskState state, TaskReason reason,
                                      std::string message, TimePoint now) const {
  TaskStatus status;
  status.task = task.spec.id;
  status.framework = task.framework;
  status.agent = task.agent;
  status.state = state;
  status.reason = reason;
  status.source = StatusSource::kMaster;
  status.message = std::move(message);
  status.time = now;
  return status;
}

void MasterEngine::updateTask(TaskRecord& task, TaskStatus status, TimePoint now) {
  task.state = status.state;
  task.updated = now;
  if (status.time == TimePoint{}) status.time = now;
  status.uuid.clear();
  task.latest = status;
  const auto key = std::make_pair(task.framework, task.spec.id);
  addEffect(TaskChanged{task.framework, task.spec.id, false});
  forwardToFramework(task.framework, std::move(status), now);
  if (!isTerminal(task.state)) return;

  counters_.terminal_tasks[task.state]++;
  allocator_->recoverResources(task.framework, task.agent, task.spec.resources, std::nullopt, now);
  allocation_due_ = true;
  auto a = agents_.find(task.agent);
  if (a != agents_.end()) {
    a->second.tasks.erase(key);
    if (a->second.status == AgentStatus::kDraining && a->second.tasks.empty()) {
      a->second.status = AgentStatus::kDrained;
      addEffect(AgentChanged{task.agent, AgentChanged::kUpdated});
    }
  }
  auto f = frameworks_.find(task.framework);
  if (f != frameworks_.end()) f->second.tasks.erase(task.spec.id);
  archive(key);
}

void MasterEngine::archive(const std::pair<FrameworkId, TaskId>& key) {
  auto t = tasks_.find(key);
  if (t == tasks_.end()) return;
  task_owner_.erase(key.second);
  completed_.push_back(std::move(t->second));
  tasks_.erase(t);
  while (completed_.size() > options_.max_completed_tasks) completed_.pop_front();
}

void MasterEngine::forwardToFramework(const FrameworkId& framework, TaskStatus status,
                                      TimePoint now) {
  if (!frameworks_.count(framework)) return;
  status.uuid = nextUuid();
  touchTask(framework, status.task);
  PendingUpdates& pending = pending_[{framework, status.task}];
  pending.queue.push_back(std::move(status));
  if (pending.queue.size() == 1) sendHead(framework, pending, now);
}

void MasterEngine::sendHead(const FrameworkId& framework, PendingUpdates& pending, TimePoint now) {
  auto fw = frameworks_.find(framework);
  if (fw == frameworks_.end() || !fw->second.connected || pending.queue.empty()) return;
  addEffect(SendStatusToFramework{framework, pending.queue.front()});
  pending.next_send = now + options_.status_retry_interval;
}

const TaskRecord* MasterEngine::findTask(const FrameworkId& framework, const TaskId& task) const {
  auto t = tasks_.find({framework, task});
  if (t != tasks_.end()) return &t->second;
  for (auto it = completed_.rbegin(); it != completed_.rend(); ++it) {
    if (it->framework == framework && it->spec.id == task) return &*it;
  }
  return nullptr;
}

const TaskRecord* MasterEngine::findTaskById(const TaskId& task) const {
  auto owner = task_owner_.find(task);
  if (owner != task_owner_.end()) return findTask(owner->second, task);
  for (auto it = completed_.rbegin(); it != completed_.rend(); ++it) {
    if (it->spec.id == task) return &*it;
  }
  return nullptr;
}

// ---------------------------------------------------------------- offers

void MasterEngine::rescindOffer(const OfferId& id, bool recover, TimePoint now) {
  auto o = offers_.find(id);
  if (o == offers_.end()) return;
  OfferRecord offer = std::move(o->second);
  offers_.erase(o);
  auto fw = frameworks_.find(offer.framework);
  if (fw != frameworks_.end()) {
    fw->second.offers.erase(id);
    if (fw->second.connected) addEffect(SendRescind{offer.framework, id});
  }
  if (recover) {
    allocator_->recoverResources(offer.framework, offer.agent, offer.resources, std::nullopt, now);
  }
  counters_.offers_rescinded++;
  allocation_due_ = true;
}

void MasterEngine::rescindAgentOffers(const AgentId& agent, TimePoint now) {
  std::vector<OfferId> ids;
  for (const auto& [id, offer] : offers_) {
    if (offer.agent == agent) ids.push_back(id);
  }
  for (const OfferId& id : ids) rescindOffer(id, true, now);
}

void MasterEngine::rescindFrameworkOffers(const FrameworkId& framework, TimePoint now) {
  auto fw = frameworks_.find(framework);
  if (fw == frameworks_.end()) return;
  std::vector<OfferId> ids(fw->second.offers.begin(), fw->second.offers.end());
  for (const OfferId& id : ids) rescindOffer(id, true, now);
}

void MasterEngine::allocate(TimePoint now) {
  last_allocation_ = now;
  allocation_due_ = false;
  counters_.allocation_runs++;
  std::vector<OfferGrant> grants = allocator_->allocate(now);
  std::map<FrameworkId, std::vector<OfferRecord>> by_framework;
  for (OfferGrant& grant : grants) {
    OfferRecord offer;
    offer.id = OfferId(absl::StrCat(options_.master_id, "-O", next_offer_++));
    offer.framework = grant.framework;
    offer.agent = grant.agent;
    offer.role = grant.role;
    offer.resources = std::move(grant.resources);
    offer.created = now;
    offers_.emplace(offer.id, offer);
    frameworks_[grant.framework].offers.insert(offer.id);
    by_framework[grant.framework].push_back(std::move(offer));
  }
  for (auto& [framework, offers] : by_framework) {
    counters_.offers_sent += offers.size();
    addEffect(SendOffers{framework, std::move(offers)});
  }
}

Resources MasterEngine::offeredOn(const AgentId& agent) const {
  Resources total;
  for (const auto& [id, offer] : offers_) {
    if (offer.agent == agent) total += offer.resources;
  }
  return total;
}

Resources MasterEngine::usedOn(const AgentId& agent) const {
  Resources total;
  auto a = agents_.find(agent);
  if (a == agents_.end()) return total;
  for (const auto& key : a->second.tasks) {
    auto t = tasks_.find(key);
    if (t != tasks_.end()) total += t->second.spec.resources;
  }
  return total;
}

Resources MasterEngine::usedBy(const FrameworkId& framework) const {
  Resources total;
  auto fw = frameworks_.find(framework);
  if (fw == frameworks_.end()) return total;
  for (const TaskId& id : fw->second.tasks) {
    auto t = tasks_.find({framework, id});
    if (t != tasks_.end()) total += t->second.spec.resources;
  }
  return total;
}

Resources MasterEngine::offeredTo(const FrameworkId& framework) const {
  Resources total;
  auto fw = frameworks_.find(framework);
  if (fw == frameworks_.end()) return total;
  for (const OfferId& id : fw->second.offers) {
    auto o = offers_.find(id);
    if (o != offers_.end()) total += o->second.resources;
  }
  return total;
}

// ---------------------------------------------------------------- timers

void MasterEngine::tick(TimePoint now) {
  const Duration agent_timeout = options_.heartbeat_interval * options_.max_missed_heartbeats;
  for (auto& [id, agent] : agents_) {
    if (agent.status == AgentStatus::kUnreachable || agent.status == AgentStatus::kGone) continue;
    if (agent.reregister_deadline) {
      if (now >= *agent.reregister_deadline) markUnreachable(agent, now);
      continue;
    }
    if (now - agent.last_heartbeat > agent_timeout) markUnreachable(agent, now);
  }

  std::vector<OfferId> expired;
  for (const auto& [id, offer] : offers_) {
    if (now - offer.created >= options_.offer_timeout) expired.push_back(id);
  }
  for (const OfferId& id : expired) rescindOffer(id, true, now);

  for (auto& [key, pending] : pending_) {
    if (!pending.queue.empty() && pending.next_send <= now) sendHead(key.first, pending, now);
  }

  for (auto& [id, agent] : agents_) {
    if (agent.status == AgentStatus::kDraining && agent.drain_deadline &&
        *agent.drain_deadline <= now) {
      agent.drain_deadline.reset();
      killAgentTasks(agent, now);
    }
  }

  std::vector<FrameworkId> failed_over;
  for (const auto& [id, framework] : frameworks_) {
    if (!framework.connected && framework.failover_deadline && *framework.failover_deadline <= now) {
      failed_over.push_back(id);
    }
  }
  for (const FrameworkId& id : failed_over) removeFramework(id, now);

  if (allocation_due_ || now - last_allocation_ >= options_.allocation_interval) allocate(now);
}

}  // namespace orch::core
