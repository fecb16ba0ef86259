// The pure parts of `orchctl run`: the command to run, whether an offer fits, the resources to
// take from it, the task's id, and what its final state means as an exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "orchestrator/v1/common.pb.h"
#include "orchestrator/v1/scheduler.pb.h"

namespace orch::ctl {

struct ResourceRequest {
  double cpus = 0.1;
  double mem = 32;  // MB
  double disk = 0;  // MB
  std::string role = "*";
};

// argv after `--`. shell=false with value=argv[0] and arguments=argv, unless `force_shell` or a
// single argument containing whitespace: then shell=true with the words joined by spaces.
// InvalidArgument for an empty argv.
absl::StatusOr<orchestrator::v1::CommandInfo> buildCommand(const std::vector<std::string>& argv,
                                                           bool force_shell);

// Takes the requested scalars out of the offer: the role's reservation first, then unreserved
// ("" or "*") resources, splitting across entries when needed. Values are compared in
// thousandths so 0.1 + 0.2 equals 0.3. ResourceExhausted saying what is short otherwise.
absl::StatusOr<std::vector<orchestrator::v1::Resource>> pickResources(
    const orchestrator::v1::Offer& offer, const ResourceRequest& request);

// "run-" followed by eight lowercase hex digits from `random_bits`.
std::string makeRunTaskId(std::uint32_t random_bits);

// "cpus 0.1, mem 32 MB" (disk only when asked for).
std::string describeRequest(const ResourceRequest& request);

bool isTerminalState(orchestrator::v1::TaskState state);

// The exit code of `orchctl run` for a terminal status: the task's own exit code when FINISHED
// or FAILED carries one (a FAILED task that exited 0 still gives 1), 0 for a FINISHED task
// without one, 1 for everything else.
int exitCodeFor(const orchestrator::v1::TaskStatus& status);

// The one line `orchctl run` prints on stdout at the end, e.g.
// "task run-ab12cd34 TASK_FINISHED exit code 0".
std::string describeFinalStatus(const orchestrator::v1::TaskStatus& status);

}  // namespace orch::ctl
