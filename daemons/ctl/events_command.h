// `orchctl events [--json]`: follows the master's cluster event stream (task, agent and framework
// changes), one line per event, reconnecting when the master goes away, until Ctrl-C.
#pragma once

#include <string>

#include "ctl/cli_support.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::ctl {

struct EventsOptions {
  bool json = false;  // one compact protobuf JSON object per line
};

int runEventsCommand(const GlobalOptions& global, const EventsOptions& options);

// "TASK_UPDATED run-ab12cd34 RUNNING on agent 631a-S1", the line printed for one event.
std::string describeOperatorEvent(const orchestrator::v1::OperatorEvent& event);

}  // namespace orch::ctl
