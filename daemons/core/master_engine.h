// The master's decisions: agent registry and liveness, framework registry, offers, accept
// validation, the task table and reliable status-update delivery. Pure and single-threaded:
// the master shell feeds it inputs (with the current time) and sends the effects it emits.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "allocator.h"
#include "quota.h"
#include "registry_delta.h"
#include "clock.h"
#include "ids.h"
#include "resources.h"
#include "task_state.h"

namespace orch::core {

using TaskTable = std::unordered_map<TaskKey, struct TaskRecord, TaskKeyHash>;

struct MasterOptions {
  std::string master_id = "master";
  Duration heartbeat_interval = std::chrono::seconds(1);
  int max_missed_heartbeats = 5;  // then the agent is unreachable
  Duration offer_timeout = std::chrono::seconds(10);
  Duration status_retry_interval = std::chrono::seconds(2);
  Duration allocation_interval = std::chrono::seconds(1);  // full cycle at least this often
  Duration default_refuse = std::chrono::seconds(5);
  size_t max_completed_tasks = 10'000;
  // A task's TaskInfo must fit in one registry entry (one znode), so ACCEPT refuses larger ones.
  size_t max_task_info_bytes = 48 * 1024;
  // After recover(): frameworks get at least this long to resubscribe, whatever their
  // failover_timeout, so a failover never tears a framework down.
  Duration recovery_framework_grace = std::chrono::seconds(60);
  // After recover(): agents get this long to re-register before they count as unreachable.
  Duration recovery_agent_grace = std::chrono::seconds(15);
  AllocatorOptions allocator;
};

enum class AgentStatus { kActive = 0, kDraining = 1, kDrained = 2, kUnreachable = 3, kGone = 4 };

struct AgentDescription {
  AgentId id;  // empty on first registration
  std::string hostname;
  std::string endpoint;       // host:port of its gRPC service
  std::string http_endpoint;  // host:port of its /metrics
  Resources resources;
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct FrameworkDescription {
  FrameworkId id;  // empty on first subscription
  std::string name;
  std::string user;
  std::string principal;
  std::string hostname;
  std::vector<RoleName> roles;
  bool gpu_resources = false;
  Duration failover_timeout{0};
};

// What the master knows of a task. The wire TaskInfo travels opaquely in `payload` (the shell
// serializes and parses it); the engine only interprets ids, resources and the kill grace.
struct TaskSpec {
  TaskId id;
  std::string name;
  Resources resources;
  Duration kill_grace = std::chrono::seconds(3);
  std::string payload;
};

struct TaskRecord {
  TaskSpec spec;
  FrameworkId framework;
  AgentId agent;
  RoleName role;
  TaskState state = TaskState::kStaging;
  TaskStatus latest;
  TimePoint created{};
  TimePoint updated{};
};

struct AgentRecord {
  AgentDescription info;
  AgentStatus status = AgentStatus::kActive;
  bool connected = true;
  TimePoint registered{};
  TimePoint last_heartbeat{};
  std::optional<TimePoint> drain_deadline;
  Duration drain_grace{0};
  Resources dynamic_reservations;  // what RESERVE operations reserved, in reserved form
  // Set by recover(): the agent must re-register by then or becomes unreachable.
  std::optional<TimePoint> reregister_deadline;
  std::unordered_set<TaskKey, TaskKeyHash> tasks;
};

struct FrameworkRecord {
  FrameworkDescription info;
  bool connected = true;
  TimePoint registered{};
  std::optional<TimePoint> failover_deadline;
  std::unordered_set<TaskId> tasks;
  std::set<OfferId> offers;
};

struct OfferRecord {
  OfferId id;
  FrameworkId framework;
  AgentId agent;
  RoleName role;
  Resources resources;
  TimePoint created{};
};

// One operation of an ACCEPT: launch a single task or a group (all-or-nothing), or reserve /
// unreserve offered resources. Operations apply in order: a launch may use what a reserve
// before it made.
struct LaunchOperation {
  enum class Type { kLaunch, kReserve, kUnreserve };
  Type type = Type::kLaunch;
  Resources resources;  // kReserve: role = the offer's role; kUnreserve: reserved resources
  bool group = false;
  std::vector<TaskSpec> tasks;
  std::vector<std::string> task_agent_ids;  // agent_id each TaskInfo named (may be empty)
};

// ---- Effects: what the shell must send. ----
struct SendOffers {
  FrameworkId framework;
  std::vector<OfferRecord> offers;
};
struct SendRescind {
  FrameworkId framework;
  OfferId offer;
};
struct SendStatusToFramework {
  FrameworkId framework;
  TaskStatus status;
};
struct SendFrameworkError {
  FrameworkId framework;
  std::string message;
};
struct SendRunTasks {
  AgentId agent;
  FrameworkId framework;
  std::vector<TaskSpec> tasks;
};
struct SendKillTask {
  AgentId agent;
  FrameworkId framework;
  TaskId task;
  Duration grace;
};
struct SendAckToAgent {
  AgentId agent;
  TaskId task;
  std::string uuid;
};
struct SendShutdownAgent {
  AgentId agent;
  std::string message;
};
// Operator stream events; the shell reads the current record from the engine.
struct TaskChanged {
  FrameworkId framework;
  TaskId task;
  bool added = false;
};
struct AgentChanged {
  AgentId agent;
  enum Kind { kAdded, kUpdated, kRemoved } kind = kUpdated;
};
struct FrameworkChanged {
  FrameworkId framework;
  enum Kind { kAdded, kUpdated, kRemoved } kind = kUpdated;
};

using Effect = std::variant<SendOffers, SendRescind, SendStatusToFramework, SendFrameworkError,
                            SendRunTasks, SendKillTask, SendAckToAgent, SendShutdownAgent,
                            TaskChanged, AgentChanged, FrameworkChanged>;

// The registry as read back from the store, for recover().
struct RecoveredAgent {
  AgentDescription info;
  AgentStatus status = AgentStatus::kActive;
  Resources dynamic_reservations;
  Duration drain_grace{0};
  std::optional<Duration> drain_deadline_remaining;
};
struct RecoveredTask {
  TaskRecord record;
  std::vector<TaskStatus> pending;  // not yet acknowledged by the framework, oldest first
};
struct RegistryState {
  std::vector<RecoveredAgent> agents;
  std::vector<FrameworkDescription> frameworks;
  std::vector<RecoveredTask> tasks;
  std::map<RoleName, double> weights;
  std::map<RoleName, Quota> quotas;
  uint64_t next_agent = 1;
  uint64_t next_framework = 1;
};

struct MasterCounters {
  uint64_t offers_sent = 0;
  uint64_t offers_declined = 0;
  uint64_t offers_accepted = 0;
  uint64_t offers_rescinded = 0;
  uint64_t tasks_launched = 0;
  uint64_t invalid_calls = 0;
  uint64_t status_updates = 0;
  uint64_t allocation_runs = 0;
  std::map<TaskState, uint64_t> terminal_tasks;  // count by final state
};

class MasterEngine {
 public:
  explicit MasterEngine(MasterOptions options);
  ~MasterEngine();

  // ---- Agents ----
  // A new agent: returns its id.
  AgentId registerAgent(const AgentDescription& agent, TimePoint now);
  // An agent that had an id (agent restart, reconnect, master failover) with the tasks it runs
  // and their latest statuses. Tasks the master expected there but the agent does not report
  // become TASK_LOST.
  struct ReportedTask {
    TaskSpec spec;
    FrameworkId framework;
    TaskStatus status;
  };
  absl::Status reregisterAgent(const AgentDescription& agent,
                               const std::vector<ReportedTask>& tasks, TimePoint now);
  absl::Status heartbeat(const AgentId& agent, TimePoint now);
  void agentDisconnected(const AgentId& agent, TimePoint now);
  // A status update from an agent. The engine acknowledges it to the agent at once (the
  // master now owns delivery) and forwards it to the framework until acknowledged.
  absl::Status statusUpdate(const AgentId& agent, const TaskStatus& status, TimePoint now);
  // Stops offers of the agent at once; kills its tasks now, or when `deadline` has passed.
  absl::Status drainAgent(const AgentId& agent, Duration max_grace, TimePoint now,
                          std::optional<Duration> deadline = std::nullopt);
  absl::Status reactivateAgent(const AgentId& agent, TimePoint now);

  // ---- Frameworks ----
  absl::StatusOr<FrameworkId> subscribe(const FrameworkDescription& framework, TimePoint now);
  void frameworkDisconnected(const FrameworkId& framework, TimePoint now);
  absl::Status accept(const FrameworkId& framework, const std::vector<OfferId>& offers,
                      const std::vector<LaunchOperation>& operations,
                      std::optional<Duration> refuse, TimePoint now);
  absl::Status decline(const FrameworkId& framework, const std::vector<OfferId>& offers,
                       std::optional<Duration> refuse, TimePoint now);
  absl::Status revive(const FrameworkId& framework, TimePoint now);
  absl::Status suppress(const FrameworkId& framework, TimePoint now);
  absl::Status kill(const FrameworkId& framework, const TaskId& task, std::optional<Duration> grace,
                    TimePoint now);
  absl::Status acknowledge(const FrameworkId& framework, const TaskId& task,
                           const std::string& uuid, TimePoint now);
  // Sends the latest state of the named tasks (all of the framework's when empty).
  absl::Status reconcile(const FrameworkId& framework, const std::vector<TaskId>& tasks,
                         TimePoint now);
  absl::Status teardown(const FrameworkId& framework, TimePoint now);

  // ---- Operator ----
  // Kills a task by id, whichever framework owns it.
  absl::Status operatorKill(const TaskId& task, std::optional<Duration> grace, TimePoint now);
  absl::Status setWeight(const RoleName& role, double weight);
  absl::Status setQuota(const RoleName& role, const Quota& quota);
  void removeQuota(const RoleName& role);

  // Timers: heartbeat timeouts, offer timeouts, status retries, framework failover, drain
  // deadlines, and an allocation cycle when one is due. Call it often (every few ms).
  void tick(TimePoint now);
  // Runs an allocation cycle now.
  void allocate(TimePoint now);

  std::vector<Effect> takeEffects();

  // ---- Registry (persistence) ----
  // Objects changed since the last call; the shell persists their current values.
  RegistryDelta takeRegistryDelta();
  // Rebuilds the engine from a stored registry. Only on a fresh engine (before any input).
  // Agents come back disconnected (no offers until they re-register, unreachable if they do
  // not within the heartbeat timeout), frameworks disconnected with their failover timeout
  // (at least recovery_framework_grace), tasks with their state and unacknowledged updates.
  // Inconsistent entries (a task of an unknown agent, a duplicate id) are skipped and named
  // in the returned problems; they never stop the recovery.
  std::vector<std::string> recover(const RegistryState& state, TimePoint now);
  // Updates the framework has not acknowledged for a task (nullptr when none).
  const std::deque<TaskStatus>* pendingUpdates(const FrameworkId& framework,
                                               const TaskId& task) const;
  // The active task, or its archived record while an update is still unacknowledged.
  const TaskRecord* findTaskForRegistry(const FrameworkId& framework, const TaskId& task) const;
  uint64_t nextAgentNumber() const { return next_agent_; }
  uint64_t nextFrameworkNumber() const { return next_framework_; }

  // ---- Read-only views ----
  const std::map<AgentId, AgentRecord>& agents() const { return agents_; }
  // Known and neither unreachable nor gone: its heartbeats and status updates are taken.
  bool isAgentRegistered(const AgentId& agent) const {
    auto it = agents_.find(agent);
    return it != agents_.end() && it->second.status != AgentStatus::kUnreachable &&
           it->second.status != AgentStatus::kGone;
  }
  const std::map<FrameworkId, FrameworkRecord>& frameworks() const { return frameworks_; }
  // Unordered (hashed: re-registering 100,000 tasks must be fast); sort for display.
  const TaskTable& tasks() const { return tasks_; }
  const std::deque<TaskRecord>& completedTasks() const { return completed_; }
  const std::map<OfferId, OfferRecord>& offers() const { return offers_; }
  const TaskRecord* findTask(const FrameworkId& framework, const TaskId& task) const;
  const TaskRecord* findTaskById(const TaskId& task) const;  // active, then completed
  const MasterCounters& counters() const { return counters_; }
  Resources offeredOn(const AgentId& agent) const;
  Resources usedOn(const AgentId& agent) const;
  Resources usedBy(const FrameworkId& framework) const;
  Resources offeredTo(const FrameworkId& framework) const;
  const Allocator& allocator() const { return *allocator_; }
  const MasterOptions& options() const { return options_; }

 private:
  struct PendingUpdates {
    std::deque<TaskStatus> queue;  // head is in flight
    TimePoint next_send{};
  };

  void addEffect(Effect effect);
  void touchTask(const FrameworkId& framework, const TaskId& task) { delta_.tasks.insert({framework, task}); }
  // The agent's total as the allocator sees it: its own resources with RESERVE operations applied.
  Resources allocatorTotal(const AgentRecord& agent) const;
  std::string nextUuid();
  void rescindOffer(const OfferId& offer, bool recover, TimePoint now);
  void rescindAgentOffers(const AgentId& agent, TimePoint now);
  void rescindFrameworkOffers(const FrameworkId& framework, TimePoint now);
  // Applies a new state to a task, queues the update for the framework, releases resources
  // and archives the task when terminal.
  void updateTask(TaskRecord& task, TaskStatus status, TimePoint now);
  void forwardToFramework(const FrameworkId& framework, TaskStatus status, TimePoint now);
  void sendHead(const FrameworkId& framework, PendingUpdates& pending, TimePoint now);
  void archive(const std::pair<FrameworkId, TaskId>& key);
  void markUnreachable(AgentRecord& agent, TimePoint now);
  void removeFramework(const FrameworkId& framework, TimePoint now);
  void killTask(TaskRecord& task, std::optional<Duration> grace, TimePoint now);
  void killAgentTasks(AgentRecord& agent, TimePoint now);
  absl::Status validateAccept(const FrameworkRecord& framework, const std::vector<OfferId>& offers,
                              const std::vector<LaunchOperation>& operations,
                              Resources& offered_total, AgentId& agent, RoleName& role) const;
  TaskStatus masterStatus(const TaskRecord& task, TaskState state, TaskReason reason,
                          std::string message, TimePoint now) const;

  MasterOptions options_;
  std::unique_ptr<Allocator> allocator_;
  std::map<AgentId, AgentRecord> agents_;
  std::map<FrameworkId, FrameworkRecord> frameworks_;
  TaskTable tasks_;
  std::unordered_map<TaskId, FrameworkId> task_owner_;  // task id -> framework, for operator kill
  std::deque<TaskRecord> completed_;
  std::map<OfferId, OfferRecord> offers_;
  std::map<std::pair<FrameworkId, TaskId>, PendingUpdates> pending_;
  std::vector<Effect> effects_;
  RegistryDelta delta_;
  MasterCounters counters_;
  uint64_t next_agent_ = 1;
  uint64_t next_framework_ = 1;
  uint64_t next_offer_ = 1;
  uint64_t next_uuid_ = 1;
  bool allocation_due_ = true;
  TimePoint last_allocation_{};
};

}  // namespace orch::core
