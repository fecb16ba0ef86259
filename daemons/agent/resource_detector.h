// What this host offers: detected cpus, memory, disk of the work dir, a port range and GPUs,
// then overridden or extended by configuration.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/resources.h"

namespace orch::agent {

struct DetectedHost {
  core::Resources resources;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// `overrides` uses the core::Resources text format ("cpus:2;mem:1024;net_bandwidth:1000");
// a named resource replaces the detected one, a new name is added. `attributes` is
// "key=value;key=value". Errors name the bad entry.
absl::StatusOr<DetectedHost> detectHost(const std::string& work_dir, const std::string& overrides,
                                        const std::string& attributes);

}  // namespace orch::agent
