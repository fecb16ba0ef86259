// `orchctl logs TASK [--follow] [--stderr]`: finds the task's agent through the master and
// streams the task's stdout (or stderr) from the agent's AgentFiles service.
#pragma once

#include <string>

#include "ctl/cli_support.h"

namespace orch::ctl {

struct LogsOptions {
  std::string task_id;
  bool follow = false;
  bool stderr_stream = false;
};

int runLogsCommand(const GlobalOptions& global, const LogsOptions& options);

}  // namespace orch::ctl
