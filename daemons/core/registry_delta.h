// Which registry objects (what the master persists so a new leader takes over without killing a
// task or forgetting a framework) changed since the shell last asked.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/ids.h"

namespace orch::core {

// A task is named by its framework and its id (unique within the framework).
using TaskKey = std::pair<FrameworkId, TaskId>;
struct TaskKeyHash {
  size_t operator()(const TaskKey& key) const noexcept {
    const size_t a = std::hash<FrameworkId>{}(key.first);
    return a ^ (std::hash<TaskId>{}(key.second) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};


// Keys of the registry objects changed since the last takeRegistryDelta(). The shell reads
// their current value from the engine (absent = deleted) and writes them to its store.
struct RegistryDelta {
  std::set<AgentId> agents;
  std::set<FrameworkId> frameworks;
  std::unordered_set<TaskKey, TaskKeyHash> tasks;
  std::set<RoleName> roles;
  bool meta = false;  // id counters

  bool empty() const {
    return agents.empty() && frameworks.empty() && tasks.empty() && roles.empty() && !meta;
  }
  void merge(const RegistryDelta& other) {
    agents.insert(other.agents.begin(), other.agents.end());
    frameworks.insert(other.frameworks.begin(), other.frameworks.end());
    tasks.insert(other.tasks.begin(), other.tasks.end());
    roles.insert(other.roles.begin(), other.roles.end());
    meta = meta || other.meta;
  }
  size_t size() const {
    return agents.size() + frameworks.size() + tasks.size() + roles.size() + (meta ? 1 : 0);
  }
};

}  // namespace orch::core
