#include "sync/conflict_audit_log.h"

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace orch::sync {

absl::Status ConflictAuditLog::open(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("audit log ", path, ": cannot create directory: ", ec.message()));
  out_.open(path, std::ios::app);
  if (!out_) return absl::InternalError(absl::StrCat("audit log ", path, ": cannot open for appending"));
  path_ = path;
  return absl::OkStatus();
}

absl::Status ConflictAuditLog::append(const nlohmann::json& record) {
  std::lock_guard lk(mu_);
  if (!out_.is_open()) return absl::OkStatus();
  out_ << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out_.flush();
  if (!out_) return absl::InternalError(absl::StrCat("audit log ", path_, ": write failed"));
  return absl::OkStatus();
}

}  // namespace orch::sync
