// JSON forms of a sync job's status and conflicts: the body of GET /api/v1/sync/status and the
// output of `zk-migrate sync status --json` / `zk-migrate conflicts list --json`.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "core/sync/conflict_queue.h"
#include "sync/sync_config.h"
#include "sync/sync_status.h"

namespace orch::sync {

nlohmann::json statusToJson(const SyncStatus& s);
// Status plus the job's identity (name, mode, strategy, ensembles, paths).
nlohmann::json statusToJson(const SyncStatus& s, const SyncConfig& cfg);
// Data is shown as text when it is valid printable UTF-8, else as base64 under "data_base64".
nlohmann::json conflictToJson(const core::sync::HeldConflict& c);
nlohmann::json conflictsToJson(const std::vector<core::sync::HeldConflict>& cs);

}  // namespace orch::sync
