// Totals of the cluster's scalar resources (total / allocated / offered / idle) over the agents
// that are not gone, as the Overview shows them.
#pragma once

#include <QString>

#include <map>

#include "models/agents_model.h"

namespace orch::console {

struct ResourceTotals {
  double total = 0;
  double used = 0;     // allocated to tasks
  double offered = 0;  // out in offers
  double idle() const { return total - used - offered > 0 ? total - used - offered : 0; }
  double usedPercent() const { return total > 0 ? 100.0 * used / total : 0; }
};

// Keyed by resource name: cpus, mem, disk, gpus.
std::map<QString, ResourceTotals> clusterTotals(const AgentsModel& agents);

}  // namespace orch::console
