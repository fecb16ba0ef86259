// Small whole-file helpers used by the containerizer and the supervisor (no dependencies beyond
// Abseil, so the supervisor stays light).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace orch::agent {

// Writes contents to "<path>.tmp", optionally fsyncs it (and the directory after the rename),
// then renames it over path: readers see the old file or the new one, never a mix.
absl::Status writeFileAtomic(const std::string& path, absl::string_view contents, bool durable);
// The whole file; NotFound when it does not exist.
absl::StatusOr<std::string> readWholeFile(const std::string& path);
// Writes contents to an existing file (e.g. a cgroup control file) in one write(2).
absl::Status writeControlFile(const std::string& path, absl::string_view contents);
// mkdir -p with the given mode; OK when the directory already exists.
absl::Status makeDirs(const std::string& path, unsigned mode = 0755);
// rm -rf; OK when path does not exist.
absl::Status removeTree(const std::string& path);
bool pathExists(const std::string& path);

}  // namespace orch::agent
