#include "task_state.h"

namespace orch::core {

bool isTerminal(TaskState state) {
  switch (state) {
    case TaskState::kFinished:
    case TaskState::kFailed:
    case TaskState::kKilled:
    case TaskState::kLost:
    case TaskState::kError:
    case TaskState::kDropped:
    case TaskState::kGone:
      return true;
    default:
      return false;
  }
}

std::string_view taskStateName(TaskState state) {
  switch (state) {
    case TaskState::kUnknown: return "TASK_UNKNOWN";
    case TaskState::kStaging: return "TASK_STAGING";
    case TaskState::kStarting: return "TASK_STARTING";
    case TaskState::kRunning: return "TASK_RUNNING";
    case TaskState::kFinished: return "TASK_FINISHED";
    case TaskState::kFailed: return "TASK_FAILED";
    case TaskState::kKilled: return "TASK_KILLED";
    case TaskState::kLost: return "TASK_LOST";
    case TaskState::kUnreachable: return "TASK_UNREACHABLE";
    case TaskState::kKilling: return "TASK_KILLING";
    case TaskState::kError: return "TASK_ERROR";
    case TaskState::kDropped: return "TASK_DROPPED";
    case TaskState::kGone: return "TASK_GONE";
  }
  return "TASK_UNKNOWN";
}

bool isValidTransition(TaskState from, TaskState to) {
  if (isTerminal(from)) return false;
  if (to == TaskState::kUnknown) return false;
  if (isTerminal(to)) return true;
  switch (from) {
    case TaskState::kUnknown:
      return true;
    case TaskState::kStaging:
      return to == TaskState::kStaging || to == TaskState::kStarting ||
             to == TaskState::kRunning || to == TaskState::kKilling ||
             to == TaskState::kUnreachable;
    case TaskState::kStarting:
      return to == TaskState::kStarting || to == TaskState::kRunning ||
             to == TaskState::kKilling || to == TaskState::kUnreachable;
    case TaskState::kRunning:
      return to == TaskState::kRunning || to == TaskState::kKilling ||
             to == TaskState::kUnreachable;
    case TaskState::kKilling:
      return to == TaskState::kKilling || to == TaskState::kUnreachable;
    case TaskState::kUnreachable:
      // The agent came back: the task is whatever the agent says it is.
      return to != TaskState::kStaging;
    default:
      return false;
  }
}

}  // namespace orch::core
