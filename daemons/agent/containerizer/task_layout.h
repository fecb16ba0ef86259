// Where a task's files live under the agent's work directory. Shared by the containerizer and
// orch-task-supervisor so both agree on every path.
//
//   <work_dir>/sandboxes/<task_id>/            the task's cwd: stdout, stdout.1.., stderr,
//   stderr.1.. <work_dir>/tasks/<task_id>/spec.json       written by the containerizer before the
//   supervisor starts <work_dir>/tasks/<task_id>/checkpoint.json supervisor pid (+ start time, boot
//   id) and task pid <work_dir>/tasks/<task_id>/status.json     how the task ended (written once,
//   atomically) <work_dir>/tasks/<task_id>/status.acked.json  status.json after the agent reported
//   it <work_dir>/tasks/<task_id>/supervisor.log  the supervisor's own JSON-line log
#pragma once

#include <string>

namespace orch::agent {

struct TaskLayout {
  std::string state_dir;
  std::string sandbox;

  static TaskLayout of(const std::string& work_dir, const std::string& task_id) {
    return TaskLayout{work_dir + "/tasks/" + task_id, work_dir + "/sandboxes/" + task_id};
  }
  static TaskLayout fromStateDir(const std::string& state_dir, const std::string& sandbox) {
    return TaskLayout{state_dir, sandbox};
  }

  std::string specFile() const { return state_dir + "/spec.json"; }
  std::string checkpointFile() const { return state_dir + "/checkpoint.json"; }
  std::string statusFile() const { return state_dir + "/status.json"; }
  std::string ackedStatusFile() const { return state_dir + "/status.acked.json"; }
  std::string supervisorLog() const { return state_dir + "/supervisor.log"; }
};

}  // namespace orch::agent
