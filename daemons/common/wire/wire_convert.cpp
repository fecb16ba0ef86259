#include "common/wire/wire_convert.h"

#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace orch::wire {

namespace v1 = orchestrator::v1;

absl::StatusOr<core::Resources> resourcesFromProto(
    const google::protobuf::RepeatedPtrField<v1::Resource>& resources, const std::string& field) {
  core::Resources out;
  for (int i = 0; i < resources.size(); ++i) {
    const v1::Resource& r = resources[i];
    const std::string path = absl::StrCat(field, "[", i, "]");
    if (r.name().empty()) return absl::InvalidArgumentError(absl::StrCat(path, ".name: must not be empty"));
    core::Resources::Entry entry;
    entry.name = r.name();
    entry.role = r.role().empty() ? "*" : r.role();
    switch (r.type()) {
      case v1::Resource::SCALAR: {
        double v = r.scalar().value();
        if (!std::isfinite(v) || v < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ".scalar.value: must be a finite non-negative number"));
        }
        if (v > 1e12) return absl::InvalidArgumentError(absl::StrCat(path, ".scalar.value: too large"));
        entry.kind = core::Resources::Kind::kScalar;
        entry.scalar = core::Scalar::fromDouble(v);
        break;
      }
      case v1::Resource::RANGES:
        entry.kind = core::Resources::Kind::kRanges;
        for (const auto& range : r.ranges().range()) {
          if (range.begin() > range.end()) {
            return absl::InvalidArgumentError(absl::StrCat(path, ".ranges: range [", range.begin(),
                                                           "-", range.end(), "] is inverted"));
          }
          entry.ranges.push_back({range.begin(), range.end()});
        }
        break;
      case v1::Resource::SET:
        entry.kind = core::Resources::Kind::kSet;
        for (const auto& item : r.set().item()) entry.items.insert(item);
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(path, ".type: unknown resource type"));
    }
    absl::Status added = out.add(entry);
    if (!added.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", added.message()));
  }
  return out;
}

void resourcesToProto(const core::Resources& resources,
                      google::protobuf::RepeatedPtrField<v1::Resource>* out) {
  for (const auto& [key, entry] : resources.entries()) {
    v1::Resource* r = out->Add();
    r->set_name(entry.name);
    if (entry.role != "*") r->set_role(entry.role);
    switch (entry.kind) {
      case core::Resources::Kind::kScalar:
        r->set_type(v1::Resource::SCALAR);
        r->mutable_scalar()->set_value(entry.scalar.toDouble());
        break;
      case core::Resources::Kind::kRanges:
        r->set_type(v1::Resource::RANGES);
        for (const auto& range : entry.ranges) {
          auto* pr = r->mutable_ranges()->add_range();
          pr->set_begin(range.begin);
          pr->set_end(range.end);
        }
        break;
      case core::Resources::Kind::kSet:
        r->set_type(v1::Resource::SET);
        for (const auto& item : entry.items) r->mutable_set()->add_item(item);
        break;
    }
  }
}

absl::StatusOr<core::TaskSpec> taskSpecFromProto(const v1::TaskInfo& task, const std::string& field) {
  core::TaskSpec spec;
  spec.id = core::TaskId(task.task_id());
  spec.name = task.name().empty() ? task.task_id() : task.name();
  auto resources = resourcesFromProto(task.resources(), absl::StrCat(field, ".resources"));
  if (!resources.ok()) return resources.status();
  spec.resources = *std::move(resources);
  if (task.has_kill_policy()) {
    double grace = task.kill_policy().grace_period_seconds();
    if (!std::isfinite(grace) || grace < 0 || grace > 86400) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".kill_policy.grace_period_seconds: must be between 0 and 86400"));
    }
    spec.kill_grace = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(grace));
  }
  if (task.container().type() == v1::ContainerInfo::DOCKER && task.container().docker().image().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".container.docker.image: must be set"));
  }
  if (!task.has_command() ||
      (task.command().value().empty() && task.command().arguments().empty())) {
    if (task.container().type() != v1::ContainerInfo::DOCKER) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".command: a command is required"));
    }
  }
  spec.payload = task.SerializeAsString();
  return spec;
}

core::TaskStatus statusFromProto(const v1::TaskStatus& status, core::TimePoint now) {
  core::TaskStatus out;
  out.task = core::TaskId(status.task_id());
  out.framework = core::FrameworkId(status.framework_id());
  out.agent = core::AgentId(status.agent_id());
  int state = status.state();
  out.state = (state >= 0 && state <= static_cast<int>(core::TaskState::kGone))
                  ? static_cast<core::TaskState>(state)
                  : core::TaskState::kUnknown;
  int reason = status.reason();
  out.reason = (reason >= 0 && reason <= static_cast<int>(core::TaskReason::kSignaled))
                   ? static_cast<core::TaskReason>(reason)
                   : core::TaskReason::kNone;
  out.source = static_cast<core::StatusSource>(status.source());
  out.message = status.message();
  if (status.has_exit_code()) out.exit_code = status.exit_code();
  out.time = now;
  out.uuid = status.uuid();
  return out;
}

v1::TaskStatus statusToProto(const core::TaskStatus& status) {
  v1::TaskStatus out;
  out.set_task_id(status.task.value());
  out.set_framework_id(status.framework.value());
  out.set_agent_id(status.agent.value());
  out.set_state(static_cast<v1::TaskState>(status.state));
  out.set_reason(static_cast<v1::TaskStatus::Reason>(status.reason));
  out.set_source(static_cast<v1::TaskStatus::Source>(status.source));
  out.set_message(status.message);
  if (status.exit_code) {
    out.set_has_exit_code(true);
    out.set_exit_code(*status.exit_code);
  }
  out.set_timestamp(toUnixSeconds(status.time));
  out.set_uuid(status.uuid);
  return out;
}

void agentInfoToProto(const core::AgentDescription& agent, v1::AgentInfo* info) {
  info->set_agent_id(agent.id.value());
  info->set_hostname(agent.hostname);
  info->set_endpoint(agent.endpoint);
  info->set_http_endpoint(agent.http_endpoint);
  resourcesToProto(agent.resources, info->mutable_resources());
  for (const auto& [name, value] : agent.attributes) {
    auto* a = info->add_attributes();
    a->set_name(name);
    a->set_text(value);
  }
}

void frameworkInfoToProto(const core::FrameworkDescription& framework, v1::FrameworkInfo* info) {
  info->set_framework_id(framework.id.value());
  info->set_name(framework.name);
  info->set_user(framework.user);
  info->set_principal(framework.principal);
  info->set_hostname(framework.hostname);
  info->set_failover_timeout(std::chrono::duration<double>(framework.failover_timeout).count());
  for (const auto& role : framework.roles) info->add_roles(role.value());
  if (framework.gpu_resources) {
    info->add_capabilities()->set_type(v1::FrameworkInfo::Capability::GPU_RESOURCES);
  }
}

core::TimePoint steadyNow() {
  return core::TimePoint(std::chrono::duration_cast<core::Duration>(
      std::chrono::steady_clock::now().time_since_epoch()));
}

double toUnixSeconds(core::TimePoint time) {
  if (time == core::TimePoint{}) return 0;
  auto age = steadyNow() - time;
  auto wall = std::chrono::system_clock::now().time_since_epoch() - age;
  return std::chrono::duration<double>(wall).count();
}

}  // namespace orch::wire
