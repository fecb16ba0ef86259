// The agent's per-task checkpoints: one file <dir>/<task_id>.pb holding a
// TaskCheckpoint.
//
// Each file is framed: "OTC1", the payload length, the TaskCheckpoint (files of
// bare protobuf, from earlier agents, are read too). A rewrite never renames
// over the old file: on ext4 (auto_da_alloc) a rename that replaces a file
// starts writeback of the new one at once, one disk write per status change,
// for files that a short task deletes milliseconds later. A rewrite of up to
// one page is one pwrite() at offset 0 of the existing file (whole or not at
// all, even if the agent is killed meanwhile; a shorter version leaves old
// bytes after its frame, which are ignored). A larger one is written completely
// to <id>.pb.next, then the old file is unlinked and .next renamed into place;
// an agent that dies between those two steps leaves only a complete .next,
// which load() takes. A first write goes through <id>.pb.new, which load()
// ignores (that crash happened before the task had a checkpoint at all). No
// fsync, as before: checkpoints survive an agent crash, not a host crash.
#pragma once

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "orchestrator/v1/checkpoint.pb.h"

namespace orch::agent {

class TaskCheckpointStore {
public:
  explicit TaskCheckpointStore(std::string dir) : dir_(std::move(dir)) {}

  // Every task's checkpoint in the (existing) directory, finishing rewrites
  // that an agent crash interrupted; corrupt files are renamed <name>.corrupt
  // and skipped (logged).
  absl::StatusOr<std::map<std::string, orchestrator::v1::TaskCheckpoint>>
  load();
  // Replaces the task's checkpoint (see above for how).
  absl::Status write(const orchestrator::v1::TaskCheckpoint &task);
  // Removes the task's checkpoint (no error when there is none).
  void remove(const std::string &task_id);

  std::string pathOf(const std::string &task_id) const {
    return dir_ + "/" + task_id + ".pb";
  }

private:
  std::string dir_;
  std::set<std::string> on_disk_; // ids whose <id>.pb exists
};

} // namespace orch::agent
