// The conflict audit log: one JSON object per line, appended (and flushed) for every conflict
// detected and every manual resolution. An empty path disables it.
#pragma once

#include <fstream>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace orch::sync {

class ConflictAuditLog {
 public:
  // Opens path for appending (creating its directory). InvalidArgument/Internal naming the path.
  absl::Status open(const std::string& path);
  bool enabled() const { return out_.is_open(); }
  const std::string& path() const { return path_; }
  // Appends record as one line. A write error is returned (and counted by the caller).
  absl::Status append(const nlohmann::json& record);

 private:
  std::string path_;
  std::ofstream out_;
  std::mutex mu_;
};

}  // namespace orch::sync
