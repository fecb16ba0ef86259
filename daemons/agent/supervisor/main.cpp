// orch-task-supervisor --state-dir <work_dir>/tasks/<task_id> [--report-fd N]
//   one task's supervisor; see task_supervisor.h.
// orch-task-supervisor --spawner --control-fd N [--work-dir DIR]
//   forks supervisors on request without an exec per task; see supervisor_spawner.h.
// Both are started by the process containerizer.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "supervisor_spawner.h"
#include "task_supervisor.h"

int main(int argc, char** argv) {
  std::string state_dir;
  int report_fd = -1;
  int control_fd = -1;
  bool spawner = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--spawner") {
      spawner = true;
    } else if (arg == "--work-dir" && i + 1 < argc) {
      ++i;  // only shown in ps (the agent it serves); inherited by every supervisor forked
    } else if (arg == "--control-fd" && i + 1 < argc) {
      char* end = nullptr;
      const long fd = std::strtol(argv[++i], &end, 10);
      if (end == nullptr || *end != '\0' || fd < 0 || fd > 65535) {
        std::fprintf(stderr, "orch-task-supervisor: --control-fd wants a file descriptor, got '%s'\n",
                     argv[i]);
        return 2;
      }
      control_fd = static_cast<int>(fd);
    } else if (arg == "--state-dir" && i + 1 < argc) {
      state_dir = argv[++i];
    } else if (arg == "--report-fd" && i + 1 < argc) {
      char* end = nullptr;
      const long fd = std::strtol(argv[++i], &end, 10);
      if (end == nullptr || *end != '\0' || fd < 0 || fd > 65535) {
        std::fprintf(stderr,
                     "orch-task-supervisor: --report-fd wants a file descriptor, got '%s'\n",
                     argv[i]);
        return 2;
      }
      report_fd = static_cast<int>(fd);
    } else {
      std::fprintf(stderr,
                   "usage: orch-task-supervisor --state-dir <work_dir>/tasks/<task_id> "
                   "[--report-fd N]\n(unexpected argument '%s')\n",
                   arg.c_str());
      return 2;
    }
  }
  if (spawner) {
    if (control_fd < 0) {
      std::fprintf(stderr, "orch-task-supervisor: --spawner needs --control-fd\n");
      return 2;
    }
    return orch::agent::runSupervisorSpawner(control_fd);
  }
  if (state_dir.empty()) {
    std::fprintf(stderr, "orch-task-supervisor: --state-dir is required\n");
    return 2;
  }
  orch::agent::TaskSupervisor supervisor(state_dir, report_fd);
  return supervisor.run();
}
