// `orchctl drain AGENT`, `orchctl reactivate AGENT`, `orchctl kill TASK`: one Operator call each.
// AGENT may be an agent id or a hostname that names exactly one agent.
#pragma once

#include <string>

#include "ctl/cli_support.h"

namespace orch::ctl {

struct DrainOptions {
  std::string agent;
  double grace_seconds = 0;  // 0 = each task's own kill policy
  double deadline_seconds = 0;  // > 0: tasks keep running this long before they are killed
  bool mark_gone = false;
};

int runDrainCommand(const GlobalOptions& global, const DrainOptions& options);
int runReactivateCommand(const GlobalOptions& global, const std::string& agent);

struct KillOptions {
  std::string task_id;
  double grace_seconds = -1;  // < 0 = the task's own kill policy
};

int runKillCommand(const GlobalOptions& global, const KillOptions& options);

}  // namespace orch::ctl
