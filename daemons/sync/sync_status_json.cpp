#include "sync/sync_status_json.h"

#include "absl/strings/escaping.h"

namespace orch::sync {
namespace {

bool printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
  }
  // nlohmann::json rejects invalid UTF-8 on dump; check it here.
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) >> 6) != 0x2) return false;
    }
    i += static_cast<std::size_t>(len);
  }
  return true;
}

nlohmann::json sideToJson(const core::sync::ConflictSideView& v) {
  nlohmann::json j = {{"exists", v.exists}};
  if (!v.exists) return j;
  if (printable(v.data)) {
    j["data"] = v.data;
  } else {
    j["data_base64"] = absl::Base64Escape(v.data);
  }
  j["mtime_ms"] = v.mtime_ms;
  j["version"] = v.version;
  j["mzxid"] = v.mzxid;
  return j;
}

}  // namespace

nlohmann::json statusToJson(const SyncStatus& s) {
  return {{"phase", s.phase},
          {"in_sync", s.in_sync},
          {"znodes", s.znodes},
          {"ephemerals_skipped", s.ephemerals},
          {"writes", s.writes},
          {"writes_to_source", s.writes_to_source},
          {"bytes", s.bytes},
          {"batches", s.batches},
          {"errors", s.errors},
          {"full_syncs", s.full_syncs},
          {"last_full_sync_ms", s.last_full_sync_ms},
          {"watches", s.watches},
          {"pending_writes", s.pending_writes},
          {"source_session", s.source_session},
          {"source_read_sessions", s.source_read_sessions},
          {"target_session", s.target_session},
          {"lag_p50_ms", s.lag_p50_ms},
          {"lag_p99_ms", s.lag_p99_ms},
          {"lag_samples", s.lag_samples},
          {"source_notify_p50_ms", s.source_notify_p50_ms},
          {"source_notify_p99_ms", s.source_notify_p99_ms},
          {"conflicts", s.conflicts},
          {"conflicts_held", s.conflicts_held},
          {"conflict_rate_alert", s.conflict_rate_alert},
          {"baseline_file", s.baseline_file},
          {"baseline_entries", s.baseline_entries},
          {"baseline_write_failures", s.baseline_write_failures},
          {"baseline_failing", s.baseline_failing},
          {"baseline_error", s.baseline_error},
          {"last_error", s.last_error}};
}

nlohmann::json statusToJson(const SyncStatus& s, const SyncConfig& cfg) {
  nlohmann::json j = statusToJson(s);
  j["name"] = cfg.name;
  j["mode"] = cfg.bidirectional ? "bidirectional" : "one-way";
  j["conflict_resolution"] = core::sync::conflictStrategyName(cfg.conflict_resolution);
  j["source_zk"] = cfg.source_zk;
  j["target_zk"] = cfg.target_zk;
  j["paths"] = cfg.paths_to_sync;
  j["lag_threshold_ms"] = cfg.lag_threshold_ms;
  j["lag_over_threshold"] = s.lag_p99_ms > cfg.lag_threshold_ms;
  return j;
}

nlohmann::json conflictToJson(const core::sync::HeldConflict& c) {
  return {{"id", c.id},
          {"path", c.path},
          {"detected_ms", c.detected_ms},
          {"reason", c.reason},
          {"source", sideToJson(c.a)},
          {"target", sideToJson(c.b)}};
}

nlohmann::json conflictsToJson(const std::vector<core::sync::HeldConflict>& cs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : cs) a.push_back(conflictToJson(c));
  return a;
}

}  // namespace orch::sync
