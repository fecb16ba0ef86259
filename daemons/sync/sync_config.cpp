#include "sync/sync_config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "common/zk/zk_connect_string.h"
#include "core/sync/path_filter.h"

namespace orch::sync {
namespace {

template <typename T>
absl::Status readScalar(const YAML::Node& n, const char* key, T* out) {
  const YAML::Node v = n[key];
  if (!v) return absl::OkStatus();
  try {
    *out = v.as<T>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError(absl::StrCat("migration.sync.", key, ": wrong type"));
  }
  return absl::OkStatus();
}

absl::Status readStrings(const YAML::Node& n, const char* key, std::vector<std::string>* out) {
  const YAML::Node v = n[key];
  if (!v) return absl::OkStatus();
  if (!v.IsSequence()) return absl::InvalidArgumentError(absl::StrCat("migration.sync.", key, ": want a list"));
  out->clear();
  for (const auto& item : v) {
    if (!item.IsScalar()) return absl::InvalidArgumentError(absl::StrCat("migration.sync.", key, ": want strings"));
    out->push_back(item.as<std::string>());
  }
  return absl::OkStatus();
}

absl::Status readSide(const YAML::Node& m, const char* side, std::string* zk, std::string* auth) {
  const YAML::Node s = m[side];
  if (!s) return absl::OkStatus();
  if (!s.IsMap()) return absl::InvalidArgumentError(absl::StrCat("migration.", side, ": want a map"));
  try {
    if (s["zookeeper"]) *zk = s["zookeeper"].as<std::string>();
    if (s["auth"]) *auth = s["auth"].as<std::string>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError(absl::StrCat("migration.", side, ".zookeeper: want a string"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SyncConfig> parseSyncConfig(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("migration config is not valid YAML: ", e.what()));
  }
  SyncConfig cfg;
  if (!root || root.IsNull()) return cfg;
  const YAML::Node m = root["migration"];
  if (!m || !m.IsMap()) return absl::InvalidArgumentError("migration config: top-level 'migration' map missing");
  try {
    if (m["name"]) cfg.name = m["name"].as<std::string>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError("migration.name: want a string");
  }
  if (auto s = readSide(m, "source", &cfg.source_zk, &cfg.source_auth); !s.ok()) return s;
  if (auto s = readSide(m, "target", &cfg.target_zk, &cfg.target_auth); !s.ok()) return s;
  const YAML::Node s = m["sync"];
  if (!s) return cfg;
  if (!s.IsMap()) return absl::InvalidArgumentError("migration.sync: want a map");
  static const std::set<std::string> known = {
      "lag_threshold_ms", "conflict_resolution", "paths_to_sync", "exclude_paths", "mode",
      "container_paths", "ttl_paths", "session_timeout_ms", "max_batch_ops", "max_batch_bytes",
      "full_resync_interval_sec", "audit_log", "conflict_alert_per_min", "baseline_dir"};
  for (const auto& kv : s) {
    const std::string key = kv.first.as<std::string>();
    if (!known.count(key)) return absl::InvalidArgumentError(absl::StrCat("migration.sync.", key, ": unknown key"));
  }
  for (auto st : {readScalar(s, "lag_threshold_ms", &cfg.lag_threshold_ms),
                  readScalar(s, "session_timeout_ms", &cfg.session_timeout_ms),
                  readScalar(s, "max_batch_ops", &cfg.max_batch_ops),
                  readScalar(s, "max_batch_bytes", &cfg.max_batch_bytes),
                  readScalar(s, "full_resync_interval_sec", &cfg.full_resync_interval_sec),
                  readScalar(s, "audit_log", &cfg.audit_log),
                  readScalar(s, "baseline_dir", &cfg.baseline_dir),
                  readScalar(s, "conflict_alert_per_min", &cfg.conflict_alert_per_min),
                  readStrings(s, "paths_to_sync", &cfg.paths_to_sync),
                  readStrings(s, "exclude_paths", &cfg.exclude_paths)}) {
    if (!st.ok()) return st;
  }
  if (s["conflict_resolution"]) {
    auto cr = core::sync::parseConflictStrategy(s["conflict_resolution"].as<std::string>(""));
    if (!cr.ok()) return absl::InvalidArgumentError(absl::StrCat("migration.sync.", cr.status().message()));
    cfg.conflict_resolution = *cr;
  }
  if (s["mode"]) {
    const std::string mode = s["mode"].as<std::string>("");
    if (mode == "bidirectional") cfg.bidirectional = true;
    else if (mode == "one-way") cfg.bidirectional = false;
    else return absl::InvalidArgumentError(absl::StrCat("migration.sync.mode '", mode, "': want one-way or bidirectional"));
  }
  std::vector<std::string> containers;
  if (auto st = readStrings(s, "container_paths", &containers); !st.ok()) return st;
  for (auto& c : containers) cfg.kind_hints.push_back({c, core::sync::ZnodeKind::kContainer, 0});
  if (const YAML::Node t = s["ttl_paths"]) {
    if (!t.IsSequence()) return absl::InvalidArgumentError("migration.sync.ttl_paths: want a list of {path, ttl_ms}");
    for (const auto& item : t) {
      if (!item.IsMap() || !item["path"] || !item["ttl_ms"]) {
        return absl::InvalidArgumentError("migration.sync.ttl_paths: each entry needs path and ttl_ms");
      }
      try {
        cfg.kind_hints.push_back({item["path"].as<std::string>(), core::sync::ZnodeKind::kTtl,
                                  item["ttl_ms"].as<std::int64_t>()});
      } catch (const YAML::Exception&) {
        return absl::InvalidArgumentError("migration.sync.ttl_paths: ttl_ms must be an integer");
      }
    }
  }
  return cfg;
}

absl::StatusOr<SyncConfig> loadSyncConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read migration config '", path, "'"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto cfg = parseSyncConfig(ss.str());
  if (!cfg.ok()) return absl::Status(cfg.status().code(), absl::StrCat(path, ": ", cfg.status().message()));
  return cfg;
}

absl::StatusOr<SyncConfig> buildSyncConfig(const SyncConfigOverrides& o) {
  SyncConfig cfg;
  if (!o.config_path.empty()) {
    auto c = loadSyncConfig(o.config_path);
    if (!c.ok()) return c.status();
    cfg = *c;
  }
  if (!o.source_zk.empty()) cfg.source_zk = o.source_zk;
  if (!o.target_zk.empty()) cfg.target_zk = o.target_zk;
  if (!o.source_auth.empty()) cfg.source_auth = o.source_auth;
  if (!o.target_auth.empty()) cfg.target_auth = o.target_auth;
  if (!o.paths.empty()) cfg.paths_to_sync = o.paths;
  if (!o.excludes.empty()) cfg.exclude_paths = o.excludes;
  if (!o.audit_log.empty()) cfg.audit_log = o.audit_log;
  if (!o.baseline_dir.empty()) cfg.baseline_dir = o.baseline_dir;
  if (!o.mode.empty()) {
    if (o.mode == "bidirectional") cfg.bidirectional = true;
    else if (o.mode == "one-way") cfg.bidirectional = false;
    else return absl::InvalidArgumentError(absl::StrCat("--mode '", o.mode, "': want one-way or bidirectional"));
  }
  if (!o.conflict_resolution.empty()) {
    auto cr = core::sync::parseConflictStrategy(o.conflict_resolution);
    if (!cr.ok()) return absl::InvalidArgumentError(absl::StrCat("--conflict-resolution: ", cr.status().message()));
    cfg.conflict_resolution = *cr;
  }
  if (auto s = validateSyncConfig(cfg); !s.ok()) return s;
  return cfg;
}

std::string effectiveBaselineDir(const SyncConfig& cfg) {
  if (cfg.baseline_dir == "none") return "";
  if (!cfg.baseline_dir.empty()) return cfg.baseline_dir;
  if (cfg.audit_log.empty()) return "";
  const std::string dir = std::filesystem::path(cfg.audit_log).parent_path().string();
  return dir.empty() ? "." : dir;
}

absl::Status validateSyncConfig(const SyncConfig& cfg) {
  if (cfg.source_zk.empty()) return absl::InvalidArgumentError("no source ensemble (--source-zk or migration.source.zookeeper)");
  if (cfg.target_zk.empty()) return absl::InvalidArgumentError("no target ensemble (--target-zk or migration.target.zookeeper)");
  auto a = zk::parseConnectString(cfg.source_zk);
  if (!a.ok()) return absl::InvalidArgumentError(absl::StrCat("source: ", a.status().message()));
  auto b = zk::parseConnectString(cfg.target_zk);
  if (!b.ok()) return absl::InvalidArgumentError(absl::StrCat("target: ", b.status().message()));
  std::set<std::string> hosts_a;
  for (const auto& h : a->hosts) hosts_a.insert(absl::StrCat(h.host, ":", h.port));
  for (const auto& h : b->hosts) {
    if (hosts_a.count(absl::StrCat(h.host, ":", h.port)) && a->chroot == b->chroot) {
      return absl::InvalidArgumentError(absl::StrCat("source and target share server ", h.host, ":", h.port,
                                                     " with the same chroot: that would sync a tree onto itself"));
    }
  }
  for (const std::string* auth : {&cfg.source_auth, &cfg.target_auth}) {
    if (!auth->empty() && auth->find(':') == std::string::npos) {
      return absl::InvalidArgumentError("auth must be 'user:password' (digest)");
    }
  }
  if (auto f = core::sync::PathFilter::create(cfg.paths_to_sync, cfg.exclude_paths); !f.ok()) return f.status();
  if (auto h = core::sync::NodeKindHints::create(cfg.kind_hints); !h.ok()) return h.status();
  if (cfg.baseline_dir.find('\n') != std::string::npos || cfg.baseline_dir.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("baseline_dir: not a usable directory name");
  }
  if (cfg.session_timeout_ms < 1000) return absl::InvalidArgumentError("session_timeout_ms must be >= 1000");
  if (cfg.max_batch_ops < 1 || cfg.max_batch_ops > 10000) return absl::InvalidArgumentError("max_batch_ops must be in [1, 10000]");
  if (cfg.max_batch_bytes < 1024 || cfg.max_batch_bytes > 1000000) {
    return absl::InvalidArgumentError("max_batch_bytes must be in [1024, 1000000] (jute.maxbuffer is 1 MiB)");
  }
  return absl::OkStatus();
}

}  // namespace orch::sync
