// The agent's one event loop: keeps the stream to the master (register, re-register after any
// disconnect, heartbeats), launches and kills tasks through the process containerizer (or the
// Docker containerizer for a TaskInfo whose container.type is DOCKER), turns
// task ends into status updates, and checkpoints every task and unacknowledged update so an
// agent restart loses nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "agent/containerizer/docker_containerizer.h"
#include "agent/containerizer/process_containerizer.h"
#include "agent/resource_detector.h"
#include "agent/task_checkpoint_store.h"
#include "common/concurrency/stream_queue.h"
#include "common/metrics/metrics_registry.h"
#include "common/tls/grpc_tls.h"
#include "orchestrator/v1/agent.grpc.pb.h"
#include "orchestrator/v1/checkpoint.pb.h"

namespace orch::agent {

struct AgentOptions {
  std::string master;         // host:port of the master
  std::string work_dir;
  std::string endpoint;       // advertised host:port of this agent's gRPC service
  std::string http_endpoint;  // advertised host:port of /metrics
  std::string hostname;
  tls::TlsFiles tls;
  DetectedHost host;
  ContainerizerOptions containerizer;
  // Docker tasks: off with --no-docker; when dockerd is unreachable they fail with a message
  // saying so (process tasks are unaffected). work_dir and log limits come from above.
  bool docker_enabled = true;
  std::string docker_socket = DockerClient::kDefaultSocket;
};

class AgentLoop {
 public:
  AgentLoop(AgentOptions options, metrics::MetricsRegistry& metrics);
  ~AgentLoop();

  // Loads checkpoints, re-attaches to running tasks, then starts the loop and the master
  // connection. Errors name the file or directory that is wrong.
  absl::Status start();
  // Stops the loop and the connection. Running tasks keep running (their supervisors own
  // them); the next start re-attaches.
  void stop();

  // Kills every task on this agent (SIGTERM, then SIGKILL after `grace`) and waits up to
  // `timeout` for them to end and their final updates to be sent. For a local cluster whose
  // stop must leave no process behind; a production agent stops without touching its tasks.
  void killAllTasks(std::chrono::milliseconds grace, std::chrono::milliseconds timeout);

  // Thread-safe views for the files service.
  bool isKnownTask(const std::string& task_id) const;
  bool hasEnded(const std::string& task_id) const;
  bool connected() const { return connected_.load(); }
  std::string agentId() const;
  const std::string& workDir() const { return options_.work_dir; }

 private:
  using Sink = concurrency::StreamQueue<orchestrator::v1::AgentMessage>;
  using Work = std::function<void()>;

  // Who runs queued work: the loop thread (woken for it), or the caller, who calls drainHere()
  // right after (the master stream's reads, launcher threads: saves waking the loop thread).
  enum class Wake { kLoopThread, kCallerDrains };
  void post(Work work, Wake wake = Wake::kLoopThread);
  // Runs the queued work on this thread unless another thread runs the loop's state, in which
  // case that one takes it; only one thread ever does ("the loop thread" below means that one).
  // Call it holding no lock queued work might take, and not from a thread that queued work
  // waits for. Also collects ended tasks (child_exited_). The loop thread keeps the timers, and
  // gets the state back when they are due and after a few batches.
  void drainHere();
  void run();
  void connectLoop();
  void onMasterMessage(const orchestrator::v1::MasterMessage& message,
                       const std::shared_ptr<Sink>& sink);
  orchestrator::v1::AgentMessage registration() const;
  void runTasks(const orchestrator::v1::MasterMessage::RunTasks& run);
  ProcessTaskSpec specFor(const std::string& framework_id, const orchestrator::v1::TaskInfo& info) const;
  // A launch finished on a launcher thread (loop thread).
  void onLaunched(const std::string& task_id, const absl::Status& status);
  void killTask(const orchestrator::v1::MasterMessage::KillTask& kill);
  void acknowledge(const std::string& task_id, const std::string& uuid);
  void pollExits();
  void onExit(const TaskExit& exit);
  bool isDockerTask(const std::string& task_id) const;
  // OK when Docker tasks can run here; otherwise the message a Docker task fails with.
  absl::Status dockerReady();
  // Kills through whichever containerizer runs the task.
  absl::Status killIn(const std::string& task_id, std::chrono::milliseconds grace);
  // Records `status` as the task's latest, checkpoints it as unacknowledged and sends it.
  void report(const std::string& task_id, orchestrator::v1::TaskState state,
              orchestrator::v1::TaskStatus::Reason reason, const std::string& message,
              std::optional<int> exit_code = std::nullopt);
  void send(orchestrator::v1::AgentMessage message);
  void checkpoint(const orchestrator::v1::TaskCheckpoint& task);
  void forget(const std::string& task_id);
  // Checkpoints the tasks whose acknowledgements are not on disk yet.
  void saveAcks();
  std::string newUuid();
  absl::Status loadCheckpoints();
  std::string taskFile(const std::string& task_id) const;

  AgentOptions options_;
  metrics::MetricsRegistry& metrics_;
  std::unique_ptr<ProcessContainerizer> containerizer_;
  std::unique_ptr<DockerContainerizer> docker_;  // null with --no-docker
  std::shared_ptr<grpc::ChannelCredentials> creds_;

  // Loop-thread state.
  TaskCheckpointStore store_;
  std::map<std::string, orchestrator::v1::TaskCheckpoint> tasks_;
  std::set<std::string> unsaved_acks_;  // acknowledged updates not yet removed on disk
  std::shared_ptr<Sink> sink_;  // the registered stream, or null
  double heartbeat_interval_ = 1.0;
  uint64_t heartbeat_seq_ = 0;
  std::mt19937_64 rng_;
  std::set<std::string> launching_;  // handed to a launcher thread, not yet started
  std::map<std::string, std::chrono::milliseconds> kill_after_launch_;
  std::map<std::string, TaskExit> ended_while_launching_;  // reported after TASK_RUNNING

  // Launches (a single task, or a whole group in order) run on a few threads so one slow start
  // does not hold up the rest or the loop.
  static constexpr int kLaunchers = 16;
  concurrency::StreamQueue<std::function<void()>> launch_queue_;
  std::vector<std::thread> launchers_;

  // Shared with other threads.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  std::string agent_id_;
  std::set<std::string> live_tasks_;   // launched and not ended
  std::set<std::string> known_tasks_;  // every task with a checkpoint or sandbox
  std::atomic<bool> connected_{false};
  std::shared_ptr<class MasterStream> stream_;  // guarded by mu_, for cancellation

  bool child_exited_ = false;  // guarded by mu_: a SIGCHLD arrived (a supervisor may have ended)
  bool draining_ = false;         // guarded by mu_: a thread runs the loop's work
  bool loop_wants_turn_ = false;  // guarded by mu_: the loop thread's timers are due
  std::thread loop_thread_;
  std::thread reaper_thread_;
  std::thread connect_thread_;
};

}  // namespace orch::agent
