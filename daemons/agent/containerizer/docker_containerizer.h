// The Docker containerizer runs a task as a Docker container (through the
// Engine API on the daemon's unix socket) next to the process containerizer,
// with the same shape: launch, kill, recover, pollExits. dockerd owns the
// containers, so an agent restart does not stop them; recover() finds them
// again by their labels.
//
// Each container is named orch-<framework>-<task> and labelled orch.task_id,
// orch.framework_id and orch.work_dir (the agent's work directory: several
// agents may share one dockerd). Its output is copied into
// <work_dir>/sandboxes/<task_id>/{stdout,stderr} (size-capped and rotated like
// a process task's), where the agent's files service reads it; the sandbox is
// also mounted in the container at /mnt/sandbox.
//
// Exit detection does not poll: one watcher thread per container follows its
// log stream, which the daemon ends when the container stops, then asks /wait
// and /json for the exit code and the OOM flag. The container is removed once
// its end has been captured.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/containerizer/docker_client.h"
#include "agent/containerizer/process_containerizer.h"

namespace orch::agent {

struct DockerTaskSpec {
  // Command, environment, cpus, memory and kill grace as for a process task; an
  // empty shell command runs the image's own entrypoint and command.
  ProcessTaskSpec task;
  std::string image;
  bool force_pull_image =
      false; // pull before creating (needs a reachable registry)
};

struct DockerContainerizerOptions {
  std::string
      work_dir; // the agent's: sandboxes in <work_dir>/sandboxes/<task_id>/
  std::string socket_path = DockerClient::kDefaultSocket;
  uint64_t log_max_bytes =
      10 << 20; // sandbox stdout/stderr copies rotate past this size
  int log_keep_files = 3;
  std::string sandbox_mount =
      "/mnt/sandbox"; // where the sandbox appears in the container
};

class DockerContainerizer {
public:
  explicit DockerContainerizer(DockerContainerizerOptions options);
  // Stops watching (no container is stopped); a new instance's recover() takes
  // them back.
  ~DockerContainerizer();
  DockerContainerizer(const DockerContainerizer &) = delete;
  DockerContainerizer &operator=(const DockerContainerizer &) = delete;

  // OK when dockerd answers; otherwise why not. Re-asks the daemon at most
  // every 5 s while it is down, so a daemon started after the agent is picked
  // up.
  absl::Status available();

  // Creates and starts the container; returns once it runs. Errors name the
  // task, the image or the container and carry the daemon's message.
  absl::Status launch(const DockerTaskSpec &spec);
  // SIGTERM, then SIGKILL after `grace`; asynchronous: the end comes from
  // pollExits() as kKilled.
  absl::Status kill(const std::string &task_id,
                    std::chrono::milliseconds grace);
  // At agent start: takes back this agent's containers. Returns the running
  // ones; those that ended while the agent was down are reported by the next
  // pollExits().
  std::vector<RunningTask> recover();
  // Non-blocking: tasks that ended since the last call, each once.
  std::vector<TaskExit> pollExits();
  std::vector<RunningTask> running() const;
  bool knows(const std::string &task_id) const;
  absl::StatusOr<std::string> sandboxPath(const std::string &task_id) const;

  // orch-<framework>-<task>, with characters Docker does not allow in names
  // replaced by '_'.
  static std::string containerName(const std::string &framework_id,
                                   const std::string &task_id);

  static constexpr const char *kTaskLabel = "orch.task_id";
  static constexpr const char *kFrameworkLabel = "orch.framework_id";
  static constexpr const char *kAgentLabel = "orch.work_dir";

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace orch::agent
