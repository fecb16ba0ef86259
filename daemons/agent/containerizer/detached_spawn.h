// Starts a helper program of the agent (a task supervisor, the supervisor spawner) detached: in
// its own session, default signal dispositions and an empty mask, stdio on /dev/null, one
// descriptor of ours passed as its fd 3 and nothing else.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::agent {

// Returns the child's pid; InternalError naming the program when it cannot be started.
absl::StatusOr<pid_t> spawnDetached(const std::string& program, std::vector<std::string> args,
                                    int fd3);

}  // namespace orch::agent
