// orch-task-supervisor --spawner: a long-lived process the process containerizer starts once.
// Each "spawn" request forks a child that becomes that task's supervisor (TaskSupervisor) without
// an exec, so a task launch pays for a fork of this small process instead of starting a new
// program. The children run in their own sessions and outlive both the spawner and the agent,
// exactly as exec'd supervisors do. The spawner reaps them and reports each end to the agent;
// it exits when the agent closes its end of the socket. Protocol: agent/containerizer/spawner_protocol.h.
#pragma once

namespace orch::agent {

// Serves requests on `control` (a SOCK_SEQPACKET socket) until its peer closes it; returns the
// process exit code.
int runSupervisorSpawner(int control);

}  // namespace orch::agent
