#include "models/cluster_totals.h"

#include "models/resource_values.h"

namespace orch::console {

std::map<QString, ResourceTotals> clusterTotals(const AgentsModel& agents) {
  std::map<QString, ResourceTotals> totals;
  static const char* const kNames[] = {"cpus", "mem", "disk", "gpus"};
  for (const char* name : kNames) totals[QString::fromLatin1(name)] = {};
  for (int r = 0; r < agents.rowCount(); ++r) {
    const orchestrator::v1::AgentState& a = agents.agentAt(r);
    if (a.status() == orchestrator::v1::AgentState::GONE) continue;
    const auto& total = a.total_resources().empty() ? a.agent_info().resources() : a.total_resources();
    for (const char* name : kNames) {
      ResourceTotals& t = totals[QString::fromLatin1(name)];
      t.total += scalarSum(total, name);
      t.used += agents.allocated(r, name);
      t.offered += scalarSum(a.offered_resources(), name);
    }
  }
  return totals;
}

}  // namespace orch::console
