// The sync engine's configuration: the PRD's migration.yaml (migration.source.zookeeper,
// migration.target.zookeeper, migration.sync.*) plus sync options of our own, overridable from
// the command line.
//
//   migration:
//     name: "prod-zk-migration-2024"
//     source: { zookeeper: "10.0.1.10:2181,10.0.1.11:2181/chroot", auth: "user:pass" }
//     target: { zookeeper: "10.1.1.10:2181,...", auth: "user:pass" }
//     sync:
//       lag_threshold_ms: 100
//       conflict_resolution: "last-write-wins"   # | source-wins | manual
//       paths_to_sync: ["/mesos"]                 # default ["/"]
//       exclude_paths: ["/mesos/tmp"]             # /zookeeper is always excluded
//       mode: "one-way"                           # | bidirectional
//       container_paths: ["/locks/*"]             # hints: the server hides node kinds
//       ttl_paths: [{ path: "/leases/*", ttl_ms: 60000 }]
//       session_timeout_ms: 10000
//       max_batch_ops: 500
//       max_batch_bytes: 524288                   # stay under jute.maxbuffer (1 MiB)
//       full_resync_interval_sec: 0               # 0 = only after reconnects
//       audit_log: "/var/lib/orch-sync/conflicts.jsonl"
//       conflict_alert_per_min: 10
//       baseline_dir: "/var/lib/orch-sync"         # bidirectional baselines; default: the
//                                                  # audit log's directory, "none" = memory only
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/sync/conflict_resolver.h"
#include "core/sync/node_kind_hints.h"

namespace orch::sync {

struct SyncConfig {
  std::string name = "zk-sync";
  std::string source_zk;
  std::string target_zk;
  std::string source_auth;  // "user:password" (digest) or ""
  std::string target_auth;
  std::vector<std::string> paths_to_sync = {"/"};
  std::vector<std::string> exclude_paths;
  bool bidirectional = false;
  core::sync::ConflictStrategy conflict_resolution = core::sync::ConflictStrategy::kLastWriteWins;
  std::vector<core::sync::KindHint> kind_hints;
  int lag_threshold_ms = 100;
  int session_timeout_ms = 10000;
  int max_batch_ops = 500;
  int max_batch_bytes = 512 * 1024;
  int full_resync_interval_sec = 0;
  std::string audit_log;
  double conflict_alert_per_min = 10;
  // Where bidirectional mode persists its baselines. Empty: the audit log's directory when an
  // audit log is configured, else none. "none": never persisted (memory only).
  std::string baseline_dir;
};

// The directory bidirectional baselines are persisted in, or "" when they live in memory only.
std::string effectiveBaselineDir(const SyncConfig& cfg);

// Parses YAML text. InvalidArgument naming the key on a wrong type or value; unknown keys under
// migration.sync are errors too (a typo must not silently change behavior).
absl::StatusOr<SyncConfig> parseSyncConfig(const std::string& yaml_text);
// Reads and parses a file; NotFound naming the path when it cannot be read.
absl::StatusOr<SyncConfig> loadSyncConfig(const std::string& path);
// Command-line values that override the file (empty = keep the file's value).
struct SyncConfigOverrides {
  std::string config_path;
  std::string source_zk;
  std::string target_zk;
  std::string source_auth;
  std::string target_auth;
  std::vector<std::string> paths;
  std::vector<std::string> excludes;
  std::string mode;                 // "one-way" | "bidirectional"
  std::string conflict_resolution;  // "last-write-wins" | "source-wins" | "manual"
  std::string audit_log;
  std::string baseline_dir;         // see SyncConfig::baseline_dir
};
// Loads config_path (if any), applies the overrides and validates the result.
absl::StatusOr<SyncConfig> buildSyncConfig(const SyncConfigOverrides& o);

// Cross-field checks: both ensembles given and valid, not the same hosts, paths valid.
absl::Status validateSyncConfig(const SyncConfig& cfg);

}  // namespace orch::sync
