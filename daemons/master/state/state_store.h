// Where the master keeps its registry: ZooKeeper (one znode per object) when masters run as a
// replicated group, an embedded crash-safe file store under --data-dir otherwise. Keys are the
// registry codec's ("agents/<id>", "tasks/<framework>~<task>", ...); values its serialized
// entries. Writes are applied in order and are durable when their callback reports OK.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace orch::master {

struct StoreWrite {
  std::string key;
  std::optional<std::string> value;  // nullopt: delete
};

struct LoadedRegistry {
  std::map<std::string, std::string> entries;  // key -> value
  // Entries that could not be read (named by their path), skipped; the master repairs them.
  std::vector<std::string> problems;
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Human-readable, e.g. "ZooKeeper zk://h:p/orchestrator/state" or "file store /var/lib/...".
  virtual std::string describe() const = 0;
  // Where a key lives, for error messages (a znode path, a file name).
  virtual std::string locate(const std::string& key) const = 0;
  // Reads every entry. Blocking; call once before the first write.
  virtual absl::StatusOr<LoadedRegistry> load() = 0;
  // Applies `writes` after every earlier write. `done` runs on a store thread, OK once the
  // writes are durable. An error means the master must stop acting (e.g. it lost leadership).
  virtual void write(std::vector<StoreWrite> writes, std::function<void(absl::Status)> done) = 0;
};

}  // namespace orch::master
