// Translation between the wire (orchestrator.v1 protobuf) and core's domain types. Every
// conversion from the wire validates and names the offending field.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/resources.h"
#include "core/task_state.h"
#include "core/master_engine.h"
#include "orchestrator/v1/common.pb.h"

namespace orch::wire {

// `field` prefixes error messages, e.g. "operations[0].launch.task_infos[1].resources".
absl::StatusOr<core::Resources> resourcesFromProto(
    const google::protobuf::RepeatedPtrField<orchestrator::v1::Resource>& resources, const std::string& field);
void resourcesToProto(const core::Resources& resources,
                      google::protobuf::RepeatedPtrField<orchestrator::v1::Resource>* out);

absl::StatusOr<core::TaskSpec> taskSpecFromProto(const orchestrator::v1::TaskInfo& task,
                                                 const std::string& field);

core::TaskStatus statusFromProto(const orchestrator::v1::TaskStatus& status,
                                 core::TimePoint now);
orchestrator::v1::TaskStatus statusToProto(const core::TaskStatus& status);

// The wire form of what the master knows of an agent and a framework.
void agentInfoToProto(const core::AgentDescription& agent, orchestrator::v1::AgentInfo* out);
void frameworkInfoToProto(const core::FrameworkDescription& framework, orchestrator::v1::FrameworkInfo* out);

// Core time is steady-clock based; the wire carries seconds since the Unix epoch.
core::TimePoint steadyNow();
double toUnixSeconds(core::TimePoint time);

}  // namespace orch::wire
