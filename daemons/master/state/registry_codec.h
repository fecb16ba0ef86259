// Turns the engine's registry into store entries (keys and serialized protos of
// orchestrator/v1/registry.proto) and back. Decoding never fails as a whole: an entry that
// cannot be read is skipped and named.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/master_engine.h"
#include "master/state/state_store.h"

namespace orch::master {

inline constexpr char kMetaKey[] = "meta";
std::string agentKey(const core::AgentId& id);
std::string frameworkKey(const core::FrameworkId& id);
std::string taskKey(const core::FrameworkId& framework, const core::TaskId& task);
std::string roleKey(const core::RoleName& role);  // '/' and '%' escaped

// The current values (or deletions) of the objects named in `delta`.
std::vector<StoreWrite> encodeDelta(const core::MasterEngine& engine, const core::RegistryDelta& delta);
// Every object of the engine's registry (for tests and a first write).
core::RegistryDelta fullDelta(const core::MasterEngine& engine);

struct DecodedRegistry {
  core::RegistryState state;
  std::vector<std::string> bad_keys;  // entries that could not be decoded
  std::vector<std::string> problems;  // one line each, naming the key
};
DecodedRegistry decodeRegistry(const std::map<std::string, std::string>& entries, core::TimePoint now);

}  // namespace orch::master
