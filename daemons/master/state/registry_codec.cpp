#include "master/state/registry_codec.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/wire/wire_convert.h"
#include "orchestrator/v1/registry.pb.h"

namespace orch::master {

namespace v1 = orchestrator::v1;

namespace {

constexpr char kAgents[] = "agents/";
constexpr char kFrameworks[] = "frameworks/";
constexpr char kTasks[] = "tasks/";
constexpr char kRoles[] = "roles/";

double seconds(core::Duration d) { return std::chrono::duration<double>(d).count(); }

core::Duration fromSeconds(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  s = std::min(s, 365 * 86400.0);
  return std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(s));
}

// A wall-clock time (seconds since the epoch) as a steady TimePoint of this process.
core::TimePoint fromUnixSeconds(double unix_seconds, core::TimePoint now) {
  if (!std::isfinite(unix_seconds) || unix_seconds <= 0) return now;
  const double wall_now = wire::toUnixSeconds(now);
  const double age = std::max(0.0, wall_now - unix_seconds);
  return now - fromSeconds(age);
}

std::string encodeAgent(const core::AgentRecord& agent, core::TimePoint now) {
  v1::RegistryAgent out;
  wire::agentInfoToProto(agent.info, out.mutable_agent_info());
  out.set_status(static_cast<v1::RegistryAgent::Status>(agent.status));
  wire::resourcesToProto(agent.dynamic_reservations, out.mutable_dynamic_reservations());
  out.set_drain_grace_seconds(seconds(agent.drain_grace));
  if (agent.drain_deadline) {
    out.set_has_drain_deadline(true);
    out.set_drain_deadline_remaining_seconds(
        std::max(0.0, seconds(*agent.drain_deadline - now)));
  }
  out.set_registered_time(wire::toUnixSeconds(agent.registered));
  return out.SerializeAsString();
}

std::string encodeFramework(const core::FrameworkRecord& fw) {
  v1::RegistryFramework out;
  wire::frameworkInfoToProto(fw.info, out.mutable_framework_info());
  out.set_registered_time(wire::toUnixSeconds(fw.registered));
  return out.SerializeAsString();
}

std::string encodeTask(const core::TaskRecord& task, const std::deque<core::TaskStatus>* pending) {
  v1::RegistryTask out;
  out.set_task_info(task.spec.payload);
  out.set_framework_id(task.framework.value());
  out.set_agent_id(task.agent.value());
  out.set_role(task.role.value());
  out.set_state(static_cast<v1::TaskState>(task.state));
  *out.mutable_latest() = wire::statusToProto(task.latest);
  if (pending) {
    for (const core::TaskStatus& status : *pending) *out.add_pending() = wire::statusToProto(status);
  }
  out.set_created_time(wire::toUnixSeconds(task.created));
  out.set_updated_time(wire::toUnixSeconds(task.updated));
  return out.SerializeAsString();
}

std::optional<std::string> encodeRole(const core::MasterEngine& engine, const core::RoleName& role) {
  v1::RegistryRole out;
  out.set_role(role.value());
  const auto weights = engine.allocator().weights();
  if (auto w = weights.find(role); w != weights.end()) {
    out.set_has_weight(true);
    out.set_weight(w->second);
  }
  const auto quotas = engine.allocator().quotas();
  if (auto q = quotas.find(role); q != quotas.end()) {
    out.set_has_quota(true);
    wire::resourcesToProto(q->second.guarantee, out.mutable_quota_guarantee());
    wire::resourcesToProto(q->second.limit, out.mutable_quota_limit());
  }
  if (!out.has_weight() && !out.has_quota()) return std::nullopt;
  return out.SerializeAsString();
}

}  // namespace

std::string agentKey(const core::AgentId& id) { return absl::StrCat(kAgents, id.value()); }
std::string frameworkKey(const core::FrameworkId& id) { return absl::StrCat(kFrameworks, id.value()); }
std::string taskKey(const core::FrameworkId& framework, const core::TaskId& task) {
  return absl::StrCat(kTasks, framework.value(), "~", task.value());
}
std::string roleKey(const core::RoleName& role) {
  return absl::StrCat(kRoles, absl::StrReplaceAll(role.value(), {{"%", "%25"}, {"/", "%2F"}}));
}

std::vector<StoreWrite> encodeDelta(const core::MasterEngine& engine,
                                    const core::RegistryDelta& delta) {
  const core::TimePoint now = wire::steadyNow();
  std::vector<StoreWrite> out;
  out.reserve(delta.size());
  if (delta.meta) {
    v1::RegistryMeta meta;
    meta.set_next_agent(engine.nextAgentNumber());
    meta.set_next_framework(engine.nextFrameworkNumber());
    meta.set_format(1);
    out.push_back({kMetaKey, meta.SerializeAsString()});
  }
  for (const core::AgentId& id : delta.agents) {
    auto a = engine.agents().find(id);
    if (a == engine.agents().end()) {
      out.push_back({agentKey(id), std::nullopt});
    } else {
      out.push_back({agentKey(id), encodeAgent(a->second, now)});
    }
  }
  for (const core::FrameworkId& id : delta.frameworks) {
    auto f = engine.frameworks().find(id);
    if (f == engine.frameworks().end()) {
      out.push_back({frameworkKey(id), std::nullopt});
    } else {
      out.push_back({frameworkKey(id), encodeFramework(f->second)});
    }
  }
  for (const auto& [framework, task] : delta.tasks) {
    const core::TaskRecord* record = engine.findTaskForRegistry(framework, task);
    // A task stays in the registry while active, or while its last update is unacknowledged.
    const auto* pending = engine.pendingUpdates(framework, task);
    if (!record || (core::isTerminal(record->state) && !pending)) {
      out.push_back({taskKey(framework, task), std::nullopt});
    } else {
      out.push_back({taskKey(framework, task), encodeTask(*record, pending)});
    }
  }
  for (const core::RoleName& role : delta.roles) {
    out.push_back({roleKey(role), encodeRole(engine, role)});
  }
  return out;
}

core::RegistryDelta fullDelta(const core::MasterEngine& engine) {
  core::RegistryDelta delta;
  delta.meta = true;
  for (const auto& [id, agent] : engine.agents()) delta.agents.insert(id);
  for (const auto& [id, fw] : engine.frameworks()) delta.frameworks.insert(id);
  for (const auto& [key, task] : engine.tasks()) delta.tasks.insert(key);
  for (const auto& task : engine.completedTasks()) {
    if (engine.pendingUpdates(task.framework, task.spec.id)) {
      delta.tasks.insert({task.framework, task.spec.id});
    }
  }
  for (const auto& [role, weight] : engine.allocator().weights()) delta.roles.insert(role);
  for (const auto& [role, quota] : engine.allocator().quotas()) delta.roles.insert(role);
  return delta;
}

namespace {

absl::Status decodeAgent(const std::string& key, const std::string& value, core::RegistryState& state) {
  v1::RegistryAgent entry;
  if (!entry.ParseFromString(value)) return absl::DataLossError("not a RegistryAgent");
  core::RecoveredAgent agent;
  const v1::AgentInfo& info = entry.agent_info();
  agent.info.id = core::AgentId(info.agent_id());
  if (agentKey(agent.info.id) != key) {
    return absl::DataLossError(absl::StrCat("holds agent '", info.agent_id(), "'"));
  }
  agent.info.hostname = info.hostname();
  agent.info.endpoint = info.endpoint();
  agent.info.http_endpoint = info.http_endpoint();
  auto resources = wire::resourcesFromProto(info.resources(), "agent_info.resources");
  if (!resources.ok()) return resources.status();
  agent.info.resources = *std::move(resources);
  for (const auto& a : info.attributes()) agent.info.attributes.emplace_back(a.name(), a.text());
  const int status = entry.status();
  if (status < 0 || status > static_cast<int>(core::AgentStatus::kGone)) {
    return absl::DataLossError(absl::StrCat("unknown agent status ", status));
  }
  agent.status = static_cast<core::AgentStatus>(status);
  auto reserved = wire::resourcesFromProto(entry.dynamic_reservations(), "dynamic_reservations");
  if (!reserved.ok()) return reserved.status();
  agent.dynamic_reservations = *std::move(reserved);
  agent.drain_grace = fromSeconds(entry.drain_grace_seconds());
  if (entry.has_drain_deadline()) {
    agent.drain_deadline_remaining = fromSeconds(entry.drain_deadline_remaining_seconds());
  }
  state.agents.push_back(std::move(agent));
  return absl::OkStatus();
}

absl::Status decodeFramework(const std::string& key, const std::string& value,
                             core::RegistryState& state) {
  v1::RegistryFramework entry;
  if (!entry.ParseFromString(value)) return absl::DataLossError("not a RegistryFramework");
  const v1::FrameworkInfo& info = entry.framework_info();
  core::FrameworkDescription fw;
  fw.id = core::FrameworkId(info.framework_id());
  if (frameworkKey(fw.id) != key) {
    return absl::DataLossError(absl::StrCat("holds framework '", info.framework_id(), "'"));
  }
  fw.name = info.name();
  fw.user = info.user();
  fw.principal = info.principal();
  fw.hostname = info.hostname();
  fw.failover_timeout = fromSeconds(info.failover_timeout());
  for (const auto& role : info.roles()) fw.roles.emplace_back(role);
  for (const auto& cap : info.capabilities()) {
    if (cap.type() == v1::FrameworkInfo::Capability::GPU_RESOURCES) fw.gpu_resources = true;
  }
  state.frameworks.push_back(std::move(fw));
  return absl::OkStatus();
}

absl::Status decodeTask(const std::string& key, const std::string& value, core::TimePoint now,
                        core::RegistryState& state) {
  v1::RegistryTask entry;
  if (!entry.ParseFromString(value)) return absl::DataLossError("not a RegistryTask");
  v1::TaskInfo info;
  if (!info.ParseFromString(entry.task_info())) return absl::DataLossError("task_info is not a TaskInfo");
  auto spec = wire::taskSpecFromProto(info, "task_info");
  if (!spec.ok()) return spec.status();
  core::RecoveredTask task;
  task.record.spec = *std::move(spec);
  task.record.spec.payload = entry.task_info();
  task.record.framework = core::FrameworkId(entry.framework_id());
  task.record.agent = core::AgentId(entry.agent_id());
  if (taskKey(task.record.framework, task.record.spec.id) != key) {
    return absl::DataLossError(absl::StrCat("holds task '", info.task_id(), "' of framework '",
                                            entry.framework_id(), "'"));
  }
  task.record.role = core::RoleName(entry.role().empty() ? "*" : entry.role());
  const int st = entry.state();
  if (st <= 0 || st > static_cast<int>(core::TaskState::kGone)) {
    return absl::DataLossError(absl::StrCat("unknown task state ", st));
  }
  task.record.state = static_cast<core::TaskState>(st);
  task.record.latest = wire::statusFromProto(entry.latest(), now);
  task.record.latest.time = fromUnixSeconds(entry.latest().timestamp(), now);
  task.record.created = fromUnixSeconds(entry.created_time(), now);
  task.record.updated = fromUnixSeconds(entry.updated_time(), now);
  for (const auto& p : entry.pending()) {
    core::TaskStatus status = wire::statusFromProto(p, now);
    status.time = fromUnixSeconds(p.timestamp(), now);
    task.pending.push_back(std::move(status));
  }
  state.tasks.push_back(std::move(task));
  return absl::OkStatus();
}

absl::Status decodeRole(const std::string& key, const std::string& value, core::RegistryState& state) {
  v1::RegistryRole entry;
  if (!entry.ParseFromString(value)) return absl::DataLossError("not a RegistryRole");
  const core::RoleName role(entry.role());
  if (roleKey(role) != key) return absl::DataLossError(absl::StrCat("holds role '", entry.role(), "'"));
  if (entry.has_weight()) state.weights[role] = entry.weight();
  if (entry.has_quota()) {
    core::Quota quota;
    auto g = wire::resourcesFromProto(entry.quota_guarantee(), "quota_guarantee");
    if (!g.ok()) return g.status();
    auto l = wire::resourcesFromProto(entry.quota_limit(), "quota_limit");
    if (!l.ok()) return l.status();
    quota.guarantee = *std::move(g);
    quota.limit = *std::move(l);
    state.quotas[role] = std::move(quota);
  }
  return absl::OkStatus();
}

}  // namespace

DecodedRegistry decodeRegistry(const std::map<std::string, std::string>& entries,
                               core::TimePoint now) {
  DecodedRegistry out;
  for (const auto& [key, value] : entries) {
    absl::Status s;
    if (key == kMetaKey) {
      v1::RegistryMeta meta;
      if (!meta.ParseFromString(value)) {
        s = absl::DataLossError("not a RegistryMeta");
      } else {
        out.state.next_agent = std::max<uint64_t>(1, meta.next_agent());
        out.state.next_framework = std::max<uint64_t>(1, meta.next_framework());
      }
    } else if (key.rfind(kAgents, 0) == 0) {
      s = decodeAgent(key, value, out.state);
    } else if (key.rfind(kFrameworks, 0) == 0) {
      s = decodeFramework(key, value, out.state);
    } else if (key.rfind(kTasks, 0) == 0) {
      s = decodeTask(key, value, now, out.state);
    } else if (key.rfind(kRoles, 0) == 0) {
      s = decodeRole(key, value, out.state);
    } else {
      s = absl::DataLossError("unknown kind of entry");
    }
    if (!s.ok()) {
      out.bad_keys.push_back(key);
      out.problems.push_back(absl::StrCat(key, " (", value.size(), " bytes): ", s.message()));
    }
  }
  return out;
}

}  // namespace orch::master
