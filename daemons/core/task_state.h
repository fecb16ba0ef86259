// Task states, the reasons a task reached one, and which transitions are legal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clock.h"
#include "ids.h"

namespace orch::core {

// Numbered as orchestrator.v1.TaskState so the shells map them by value.
enum class TaskState {
  kUnknown = 0,
  kStaging = 1,
  kStarting = 2,
  kRunning = 3,
  kFinished = 4,
  kFailed = 5,
  kKilled = 6,
  kLost = 7,
  kUnreachable = 8,
  kKilling = 9,
  kError = 10,
  kDropped = 11,
  kGone = 12,
};

// Numbered as orchestrator.v1.TaskStatus.Reason.
enum class TaskReason {
  kNone = 0,
  kCommandExited = 1,
  kMemoryLimit = 2,
  kKilledDuringLaunch = 3,
  kKilledByRequest = 4,
  kAgentRemoved = 5,
  kAgentUnreachable = 6,
  kAgentRestarted = 7,
  kReconciliation = 8,
  kInvalidOffers = 9,
  kTaskInvalid = 10,
  kLaunchFailed = 11,
  kExecutorTerminated = 12,
  kFrameworkRemoved = 13,
  kAgentDraining = 14,
  kSignaled = 15,
};

enum class StatusSource { kMaster = 0, kAgent = 1, kExecutor = 2 };

struct TaskStatus {
  TaskId task;
  FrameworkId framework;
  AgentId agent;
  TaskState state = TaskState::kUnknown;
  TaskReason reason = TaskReason::kNone;
  StatusSource source = StatusSource::kMaster;
  std::string message;
  std::optional<int> exit_code;
  TimePoint time{};
  std::string uuid;  // non-empty when the receiver must acknowledge it
};

bool isTerminal(TaskState state);
std::string_view taskStateName(TaskState state);  // "TASK_RUNNING"
// Whether a task in `from` may move to `to`. Terminal states are final; an unreachable task
// may come back (its agent re-registered); anything may become terminal.
bool isValidTransition(TaskState from, TaskState to);

}  // namespace orch::core
