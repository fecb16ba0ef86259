// Where a detached orch-sync tells `zk-migrate` how to reach it: <state_dir>/orch-sync.json
// (pid, gRPC and HTTP addresses, TLS directory), written once it serves and removed on exit.
// Also makes the local certificates `zk-migrate sync start` uses when no cluster CA is given.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace orch::sync {

struct DaemonState {
  int pid = 0;
  std::string grpc;      // host:port
  std::string http;      // host:port ("" when off)
  std::string tls_dir;   // ca.crt, orch-sync.crt/key (server), zk-migrate.crt/key (client)
  std::string name;      // migration.name
  std::int64_t started_ms = 0;
};

std::string daemonStatePath(const std::string& state_dir);
absl::Status writeDaemonState(const std::string& state_dir, const DaemonState& state);
// NotFound "no orch-sync is running for <dir>" when there is no state file.
absl::StatusOr<DaemonState> readDaemonState(const std::string& state_dir);
void removeDaemonState(const std::string& state_dir);
// True when a process with this pid exists.
bool processAlive(int pid);

inline constexpr const char* kServerCertName = "orch-sync";
inline constexpr const char* kClientCertName = "zk-migrate";

// Creates tls_dir with a CA, a server certificate (orch-sync) and a client certificate
// (zk-migrate, operator role) unless tls_dir/ca.crt exists already.
absl::Status ensureLocalCertificates(const std::string& tls_dir, const std::string& cluster_name);

// The state directory when none is given: $ORCH_SYNC_STATE_DIR, else $HOME/.orch-sync.
std::string defaultStateDir();

}  // namespace orch::sync
