#include "ctl/cluster_tables.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/resource_format.h"
#include "ctl/table_printer.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

namespace {

using Align = TablePrinter::Align;

std::string age(double since, double now) {
  if (since <= 0) return "-";
  // The master's clock may run a little ahead of ours.
  return formatDuration(std::max(0.0, now - since));
}

std::string clip(const std::string& text, size_t max) {
  if (displayWidth(text) <= max) return text;
  std::string out;
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) {
      if (width + 1 >= max) break;
      ++width;
    }
    out.push_back(static_cast<char>(c));
  }
  return out + "~";
}

void addTaskRow(TablePrinter& table, const v1::TaskRecord& task, double now) {
  const v1::TaskStatus& status = task.latest_status();
  std::string exit = status.has_exit_code() ? absl::StrCat(status.exit_code()) : "";
  std::string message = status.message();
  if (message.empty() && status.reason() != v1::TaskStatus::REASON_NONE) {
    message = v1::TaskStatus::Reason_Name(status.reason());
  }
  const v1::TaskInfo& info = task.task_info();
  table.addRow({info.task_id(), info.name(), taskStateShortName(task.state()), task.framework_id(),
                info.agent_id(), formatNumber(scalarTotal(info.resources(), "cpus")),
                formatMegabytes(scalarTotal(info.resources(), "mem")), age(task.created_time(), now),
                exit, clip(message, 60)});
}

}  // namespace

std::string agentStatusName(v1::AgentState::Status status) {
  std::string name = v1::AgentState::Status_Name(status);
  if (name.empty()) return absl::StrCat("status ", static_cast<int>(status));
  return absl::AsciiStrToLower(name);
}

std::string renderAgentsTable(const AgentList& agents, double now) {
  TablePrinter table({{"ID"},
                      {"HOSTNAME"},
                      {"STATUS"},
                      {"CPUS", Align::kRight},
                      {"MEM", Align::kRight},
                      {"DISK", Align::kRight},
                      {"ENDPOINT"},
                      {"HEARTBEAT", Align::kRight}});
  for (const v1::AgentState& agent : agents) {
    const auto& total = agent.total_resources().empty() ? agent.agent_info().resources()
                                                        : agent.total_resources();
    table.addRow({agent.agent_info().agent_id(), agent.agent_info().hostname(),
                  agentStatusName(agent.status()),
                  formatUsage("cpus", agent.allocated_resources(), total),
                  formatUsage("mem", agent.allocated_resources(), total),
                  formatUsage("disk", agent.allocated_resources(), total),
                  agent.agent_info().endpoint(),
                  agent.last_heartbeat_time() > 0 ? absl::StrCat(age(agent.last_heartbeat_time(), now), " ago")
                                                  : "-"});
  }
  return table.render();
}

std::string renderFrameworksTable(const FrameworkList& frameworks, double now) {
  TablePrinter table({{"ID"},
                      {"NAME"},
                      {"ROLES"},
                      {"PRINCIPAL"},
                      {"STATUS"},
                      {"CPUS", Align::kRight},
                      {"MEM", Align::kRight},
                      {"AGE", Align::kRight}});
  for (const v1::FrameworkState& fw : frameworks) {
    const v1::FrameworkInfo& info = fw.framework_info();
    std::string status = !fw.active() ? "inactive" : (fw.connected() ? "connected" : "disconnected");
    table.addRow({info.framework_id(), info.name(),
                  info.roles().empty() ? "*" : absl::StrJoin(info.roles(), ","), info.principal(),
                  status, formatNumber(scalarTotal(fw.allocated_resources(), "cpus")),
                  formatMegabytes(scalarTotal(fw.allocated_resources(), "mem")),
                  age(fw.registered_time(), now)});
  }
  return table.render();
}

std::string renderTasksTable(const TaskList& active, const TaskList* completed, double now) {
  TablePrinter table({{"ID"},
                      {"NAME"},
                      {"STATE"},
                      {"FRAMEWORK"},
                      {"AGENT"},
                      {"CPUS", Align::kRight},
                      {"MEM", Align::kRight},
                      {"AGE", Align::kRight},
                      {"EXIT", Align::kRight},
                      {"MESSAGE"}});
  for (const v1::TaskRecord& task : active) addTaskRow(table, task, now);
  if (completed != nullptr) {
    for (const v1::TaskRecord& task : *completed) addTaskRow(table, task, now);
  }
  return table.render();
}

std::string renderState(const v1::GetState& state, double now) {
  int active_agents = 0;
  for (const auto& a : state.agents()) active_agents += a.status() == v1::AgentState::ACTIVE ? 1 : 0;
  int running = 0;
  for (const auto& t : state.tasks()) running += t.state() == v1::TASK_RUNNING ? 1 : 0;

  std::string out;
  absl::StrAppend(&out, "master      ", state.master_id().empty() ? "-" : state.master_id());
  if (!state.leader().empty()) absl::StrAppend(&out, " (leader ", state.leader(), ")");
  if (state.start_time() > 0) absl::StrAppend(&out, ", up ", formatDuration(now - state.start_time()));
  absl::StrAppend(&out, "\n");
  absl::StrAppend(&out, "agents      ", state.agents_size(), " (", active_agents, " active)\n");
  absl::StrAppend(&out, "frameworks  ", state.frameworks_size(), "\n");
  absl::StrAppend(&out, "tasks       ", state.tasks_size(), " active (", running, " running), ",
                  state.completed_tasks_size(), " completed\n");
  absl::StrAppend(&out, "\nAGENTS\n", renderAgentsTable(state.agents(), now));
  absl::StrAppend(&out, "\nFRAMEWORKS\n", renderFrameworksTable(state.frameworks(), now));
  absl::StrAppend(&out, "\nTASKS\n", renderTasksTable(state.tasks(), nullptr, now));
  return out;
}

}  // namespace orch::ctl
