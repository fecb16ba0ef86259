// Crash-safe whole-file replacement for configs and checkpoints.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "absl/status/status.h"

namespace orch::config {

// Writes contents to a temporary file next to path (created with `mode`), fsyncs it, renames it
// over path, then fsyncs the directory. Readers see either the old or the new file, never a mix.
// The parent directory must exist. On failure the temporary file is removed and the old file is
// untouched; the error names the path and the failing step.
absl::Status writeFileAtomically(const std::string& path, std::string_view contents,
                                 mode_t mode = 0644);

}  // namespace orch::config
