// Builds operator events the way the master sends them, for the console's model tests and the
// benchmark.
#pragma once

#include <string>

#include "orchestrator/v1/operator.pb.h"

namespace orch::console::testing {

inline orchestrator::v1::Resource scalar(const std::string& name, double value) {
  orchestrator::v1::Resource r;
  r.set_name(name);
  r.set_type(orchestrator::v1::Resource::SCALAR);
  r.mutable_scalar()->set_value(value);
  return r;
}

inline orchestrator::v1::AgentState agent(const std::string& id, const std::string& host,
                                          orchestrator::v1::AgentState::Status status =
                                              orchestrator::v1::AgentState::ACTIVE,
                                          double cpus = 4, double usedCpus = 0) {
  orchestrator::v1::AgentState a;
  a.mutable_agent_info()->set_agent_id(id);
  a.mutable_agent_info()->set_hostname(host);
  a.mutable_agent_info()->set_endpoint("127.0.0.1:5051");
  a.set_status(status);
  *a.add_total_resources() = scalar("cpus", cpus);
  *a.add_total_resources() = scalar("mem", 4096);
  if (usedCpus > 0) *a.add_allocated_resources() = scalar("cpus", usedCpus);
  return a;
}

inline orchestrator::v1::FrameworkState framework(const std::string& id, const std::string& name) {
  orchestrator::v1::FrameworkState f;
  f.mutable_framework_info()->set_framework_id(id);
  f.mutable_framework_info()->set_name(name);
  f.set_active(true);
  f.set_connected(true);
  return f;
}

inline orchestrator::v1::TaskRecord task(const std::string& id, const std::string& agentId,
                                         const std::string& frameworkId, orchestrator::v1::TaskState state,
                                         double created = 1000) {
  orchestrator::v1::TaskRecord t;
  t.mutable_task_info()->set_task_id(id);
  t.mutable_task_info()->set_name("name-" + id);
  t.mutable_task_info()->set_agent_id(agentId);
  *t.mutable_task_info()->add_resources() = scalar("cpus", 0.1);
  *t.mutable_task_info()->add_resources() = scalar("mem", 32);
  t.set_framework_id(frameworkId);
  t.set_state(state);
  t.set_created_time(created);
  t.mutable_latest_status()->set_state(state);
  return t;
}

inline orchestrator::v1::OperatorEvent taskEvent(orchestrator::v1::OperatorEvent::Type type,
                                                 const orchestrator::v1::TaskRecord& t) {
  orchestrator::v1::OperatorEvent e;
  e.set_type(type);
  *e.mutable_task() = t;
  return e;
}

inline orchestrator::v1::OperatorEvent agentEvent(orchestrator::v1::OperatorEvent::Type type,
                                                  const orchestrator::v1::AgentState& a) {
  orchestrator::v1::OperatorEvent e;
  e.set_type(type);
  *e.mutable_agent() = a;
  if (type == orchestrator::v1::OperatorEvent::AGENT_REMOVED) e.set_agent_id(a.agent_info().agent_id());
  return e;
}

inline orchestrator::v1::OperatorEvent frameworkEvent(orchestrator::v1::OperatorEvent::Type type,
                                                      const orchestrator::v1::FrameworkState& f) {
  orchestrator::v1::OperatorEvent e;
  e.set_type(type);
  *e.mutable_framework() = f;
  if (type == orchestrator::v1::OperatorEvent::FRAMEWORK_REMOVED) {
    e.set_framework_id(f.framework_info().framework_id());
  }
  return e;
}

}  // namespace orch::console::testing
