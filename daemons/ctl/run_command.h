// `orchctl run [--cpus --mem --disk --role --name --shell --timeout] -- CMD ARGS...`:
// a one-shot framework that launches one task, follows it to its end and exits with its code.
#pragma once

#include <string>
#include <vector>

#include "ctl/cli_support.h"
#include "ctl/run_task_builder.h"

namespace orch::ctl {

struct RunOptions {
  ResourceRequest resources;
  std::string name;               // task name; "" = "orchctl-run"
  bool shell = false;             // run the words under /bin/sh -c
  double timeout_seconds = 0;     // 0 = wait forever
  double kill_grace_seconds = 3;  // on Ctrl-C / timeout
  std::vector<std::string> argv;  // after `--`
  std::string docker_image;       // run in a Docker container from this image ("" = a process)
};

// Exit code: the task's (see exitCodeFor), 130 after Ctrl-C, 1 on timeout or failure.
int runRunCommand(const GlobalOptions& global, const RunOptions& options);

}  // namespace orch::ctl
