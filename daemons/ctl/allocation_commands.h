// `orchctl weights [set ROLE=W...]` and `orchctl quota [set ROLE --guarantee R --limit R | remove ROLE]`:
// the allocator's fairness weights and quota per role.
#pragma once

#include <string>
#include <vector>

#include "ctl/cli_support.h"

namespace orch::ctl {

// No assignments: prints every weight. Otherwise sets each "role=weight".
int runWeightsCommand(const GlobalOptions& global, const std::vector<std::string>& assignments);

struct QuotaOptions {
  enum class Action { kGet, kSet, kRemove } action = Action::kGet;
  std::string role;
  std::string guarantee;  // resource text, e.g. "cpus:4;mem:8192"
  std::string limit;
};

int runQuotaCommand(const GlobalOptions& global, const QuotaOptions& options);

}  // namespace orch::ctl
