// The tables `orchctl state|agents|frameworks|tasks` print, built from Operator API messages.
#pragma once

#include <string>

#include <google/protobuf/repeated_field.h>

#include "orchestrator/v1/operator.pb.h"

namespace orch::ctl {

using AgentList = google::protobuf::RepeatedPtrField<orchestrator::v1::AgentState>;
using FrameworkList = google::protobuf::RepeatedPtrField<orchestrator::v1::FrameworkState>;
using TaskList = google::protobuf::RepeatedPtrField<orchestrator::v1::TaskRecord>;

// ID HOSTNAME STATUS CPUS MEM DISK ENDPOINT HEARTBEAT ("used / total" per resource).
std::string renderAgentsTable(const AgentList& agents, double now);
// ID NAME ROLES PRINCIPAL STATUS CPUS MEM AGE.
std::string renderFrameworksTable(const FrameworkList& frameworks, double now);
// ID NAME STATE FRAMEWORK AGENT CPUS MEM AGE EXIT MESSAGE; `completed` rows follow `active`.
std::string renderTasksTable(const TaskList& active, const TaskList* completed, double now);
// A summary paragraph, then the three tables under headings.
std::string renderState(const orchestrator::v1::GetState& state, double now);

// "ACTIVE" -> "active".
std::string agentStatusName(orchestrator::v1::AgentState::Status status);

}  // namespace orch::ctl
