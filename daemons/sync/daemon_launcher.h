// Starts orch-sync detached (new session, stdio to <state_dir>/orch-sync.log) for
// `zk-migrate sync start`, and waits until it serves (its state file names it) or exits.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sync/sync_daemon_state.h"

namespace orch::sync {

// binary: the orch-sync executable; args: its arguments (without argv[0]). On early exit the
// error carries the daemon's last stderr lines (FailedPrecondition for its exit code 2, i.e. bad
// configuration or unreachable ensemble; Internal otherwise).
absl::StatusOr<DaemonState> launchDaemon(const std::string& binary, const std::vector<std::string>& args,
                                         const std::string& state_dir, std::chrono::milliseconds timeout);

// orch-sync next to the running executable (/proc/self/exe), else "orch-sync" on PATH.
std::string defaultDaemonBinary();

}  // namespace orch::sync
