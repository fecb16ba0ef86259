// Validation of task ids, which the process containerizer uses as directory and cgroup names.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace orch::agent {

inline constexpr size_t kMaxTaskIdLength = 128;

// OK when id is 1..kMaxTaskIdLength characters of [A-Za-z0-9._-], starts with a letter or digit
// and contains no "..": safe as one path component. The error names the offending character.
absl::Status validateTaskId(absl::string_view id);

}  // namespace orch::agent
