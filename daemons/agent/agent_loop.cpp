#include "agent/agent_loop.h"

#include "client/zk_master_resolver.h"
#include "agent/master_stream.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/logger.h"
#include "common/wire/wire_convert.h"

namespace orch::agent {

namespace v1 = orchestrator::v1;
namespace fs = std::filesystem;

namespace {

// How often the loop looks for ended tasks when it cannot rely on SIGCHLD (re-attached
// supervisors, Docker tasks), and otherwise (a missed wake-up only delays a status this long).
constexpr auto kTick = std::chrono::milliseconds(2);
constexpr auto kIdleTick = std::chrono::milliseconds(50);
// drainHere() runs at most this many batches before leaving the rest to the loop thread.
constexpr int kInlineRounds = 4;
constexpr double kResendSeconds = 5.0;
constexpr auto kAckSaveInterval = std::chrono::seconds(1);

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Replaces `path` atomically (write temp + rename). No fsync: checkpoints must survive an agent
// crash, which rename guarantees; they are rewritten on every state change, so syncing each one
// would bound launch throughput by the disk.
absl::Status replaceFile(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", strerror(errno)));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", strerror(errno)));
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

bool terminal(v1::TaskState s) {
  return s == v1::TASK_FINISHED || s == v1::TASK_FAILED || s == v1::TASK_KILLED ||
         s == v1::TASK_LOST || s == v1::TASK_ERROR || s == v1::TASK_DROPPED || s == v1::TASK_GONE;
}

double scalarOf(const v1::TaskInfo& task, const std::string& name) {
  double total = 0;
  for (const auto& r : task.resources()) {
    if (r.name() == name && r.type() == v1::Resource::SCALAR) total += r.scalar().value();
  }
  return total;
}

}  // namespace

AgentLoop::AgentLoop(AgentOptions options, metrics::MetricsRegistry& metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      store_(options_.work_dir + "/meta/tasks"),
      rng_(std::random_device{}()) {}

AgentLoop::~AgentLoop() {
  stop();
  // Before mu_ and cv_ go: the containerizer's spawner thread wakes the loop through them.
  containerizer_.reset();
}

std::string AgentLoop::taskFile(const std::string& task_id) const {
  return store_.pathOf(task_id);
}

std::string AgentLoop::newUuid() {
  char buf[33];
  snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng_()),
           static_cast<unsigned long long>(rng_()));
  return buf;
}

absl::Status AgentLoop::loadCheckpoints() {
  std::error_code ec;
  fs::create_directories(options_.work_dir + "/meta/tasks", ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", options_.work_dir, "/meta/tasks: ", ec.message()));
  }
  {
    std::ifstream in(options_.work_dir + "/meta/agent.pb", std::ios::binary);
    if (in) {
      v1::AgentCheckpoint agent;
      std::stringstream data;
      data << in.rdbuf();
      if (agent.ParseFromString(data.str())) {
        agent_id_ = agent.agent_id();
      } else {
        orch::log::logWarn("agent checkpoint is corrupt; registering as a new agent",
                           {{"path", options_.work_dir + "/meta/agent.pb"}});
      }
    }
  }
  auto loaded = store_.load();
  if (!loaded.ok()) return loaded.status();
  tasks_ = *std::move(loaded);
  return absl::OkStatus();
}

absl::Status AgentLoop::start() {
  if (auto s = loadCheckpoints(); !s.ok()) return s;
  ContainerizerOptions containerizer = options_.containerizer;
  // Supervisors forked by the spawner are not our children: their ends arrive from the
  // containerizer instead of as SIGCHLD, and wake the loop the same way.
  // Called on the spawner client's reader thread, which holds no lock and which no loop work
  // waits for (launches run on launcher threads): it collects the end itself when the loop is
  // idle.
  containerizer.on_task_end = [this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      child_exited_ = true;
    }
    drainHere();
  };
  containerizer_ = std::make_unique<ProcessContainerizer>(std::move(containerizer));

  // Re-attach to what still runs; whatever ended while the agent was down is reported below.
  std::set<std::string> running;
  for (const RunningTask& task : containerizer_->recover()) running.insert(task.task_id);
  if (options_.docker_enabled) {
    DockerContainerizerOptions docker;
    docker.work_dir = options_.work_dir;
    docker.socket_path = options_.docker_socket;
    docker.log_max_bytes = options_.containerizer.log_max_bytes;
    docker.log_keep_files = options_.containerizer.log_keep_files;
    docker_ = std::make_unique<DockerContainerizer>(docker);
    if (absl::Status ready = docker_->available(); !ready.ok()) {
      orch::log::logWarn("Docker is unavailable on this agent; Docker tasks will fail",
                         {{"socket", options_.docker_socket}, {"error", std::string(ready.message())}});
    }
    for (const RunningTask& task : docker_->recover()) running.insert(task.task_id);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, task] : tasks_) {
      known_tasks_.insert(id);
      if (!terminal(task.latest().state())) live_tasks_.insert(id);
    }
  }
  pollExits();
  for (auto& [id, task] : tasks_) {
    if (terminal(task.latest().state()) || running.count(id)) continue;
    bool still_live;
    {
      std::lock_guard<std::mutex> lock(mu_);
      still_live = live_tasks_.count(id) > 0;
    }
    if (still_live) {
      report(id, v1::TASK_LOST, v1::TaskStatus::REASON_EXECUTOR_TERMINATED,
             "the task was not running when the agent restarted");
    }
  }
  orch::log::logInfo("agent recovered", {{"agent_id", agent_id_},
                                         {"tasks", tasks_.size()},
                                         {"running", running.size()}});

  auto creds = tls::makeChannelCredentials(options_.tls);
  if (!creds.ok()) return creds.status();
  creds_ = *creds;

  for (int i = 0; i < kLaunchers; ++i) {
    launchers_.emplace_back([this] {
      while (true) {
        auto job = launch_queue_.pop(std::chrono::milliseconds(200));
        if (job) {
          (*job)();
        } else if (launch_queue_.closed()) {
          return;
        }
      }
    });
  }
  loop_thread_ = std::thread([this] { run(); });
  // Supervisors we start are our children: their SIGCHLD wakes the loop to report the end at
  // once, instead of the loop polling every child every few milliseconds. main() blocks SIGCHLD
  // in every thread; where it is not blocked (an embedding program) the loop still polls.
  reaper_thread_ = std::thread([this] {
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    const timespec wait{0, 200 * 1000 * 1000};
    while (true) {
      const int sig = ::sigtimedwait(&child, nullptr, &wait);
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      if (sig == SIGCHLD) {
        child_exited_ = true;
        cv_.notify_one();
      }
    }
  });
  connect_thread_ = std::thread([this] { connectLoop(); });
  return absl::OkStatus();
}

void AgentLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !loop_thread_.joinable()) return;
    stopping_ = true;
    if (stream_) stream_->cancel();
  }
  cv_.notify_all();
  if (connect_thread_.joinable()) connect_thread_.join();
  if (reaper_thread_.joinable()) reaper_thread_.join();
  launch_queue_.close();
  for (auto& t : launchers_) t.join();
  launchers_.clear();
  if (loop_thread_.joinable()) loop_thread_.join();
}

void AgentLoop::killAllTasks(std::chrono::milliseconds grace, std::chrono::milliseconds timeout) {
  post([this, grace] {
    for (const auto& [id, task] : tasks_) {
      if (!terminal(task.latest().state())) killIn(id, grace).IgnoreError();
    }
  });
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (live_tasks_.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Give the final updates a moment to reach the master.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

void AgentLoop::post(Work work, Wake wake) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(work));
  }
  if (wake == Wake::kLoopThread) cv_.notify_all();
}

void AgentLoop::drainHere() {
  std::unique_lock<std::mutex> lock(mu_);
  if (draining_ || stopping_ || (queue_.empty() && !child_exited_)) return;  // the one draining takes it
  if (loop_wants_turn_) {  // the loop's timers are due: it takes the queue with it
    lock.unlock();
    cv_.notify_all();
    return;
  }
  draining_ = true;
  for (int round = 1;; ++round) {
    std::deque<Work> batch;
    batch.swap(queue_);
    const bool exits = child_exited_;
    child_exited_ = false;
    lock.unlock();
    for (Work& work : batch) work();
    if (exits) pollExits();
    lock.lock();
    if ((queue_.empty() && !child_exited_) || stopping_ || loop_wants_turn_ || round >= kInlineRounds) {
      break;
    }
  }
  draining_ = false;
  const bool wake = loop_wants_turn_ || stopping_ || !queue_.empty() || child_exited_;
  lock.unlock();
  if (wake) cv_.notify_all();
}

bool AgentLoop::isKnownTask(const std::string& task_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return known_tasks_.count(task_id) > 0;
}

bool AgentLoop::hasEnded(const std::string& task_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return known_tasks_.count(task_id) > 0 && live_tasks_.count(task_id) == 0;
}

std::string AgentLoop::agentId() const {
  std::lock_guard<std::mutex> lock(mu_);
  return agent_id_;
}

void AgentLoop::run() {
  auto last_heartbeat = std::chrono::steady_clock::now();
  auto last_resend = last_heartbeat;
  auto last_ack_save = last_heartbeat;
  std::chrono::milliseconds tick = kTick;
  while (true) {
    std::deque<Work> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + tick;
      while (!stopping_) {
        const bool due = std::chrono::steady_clock::now() >= deadline;
        if (!draining_ && (due || !queue_.empty() || child_exited_)) break;
        if (draining_ && due) {
          loop_wants_turn_ = true;  // the thread in drainHere hands over when done
          cv_.wait(lock);
        } else {
          cv_.wait_until(lock, deadline);
        }
      }
      loop_wants_turn_ = false;
      if (stopping_) {
        cv_.wait(lock, [&] { return !draining_; });
        lock.unlock();
        saveAcks();
        break;
      }
      child_exited_ = false;
      draining_ = true;
      batch.swap(queue_);
    }
    for (Work& work : batch) work();
    pollExits();
    tick = containerizer_->needsPolling() || (docker_ && !docker_->running().empty()) ? kTick
                                                                                     : kIdleTick;
    auto now = std::chrono::steady_clock::now();
    if (!unsaved_acks_.empty() && now - last_ack_save >= kAckSaveInterval) {
      last_ack_save = now;
      saveAcks();
    }
    if (sink_ && now - last_heartbeat >= std::chrono::duration<double>(heartbeat_interval_)) {
      last_heartbeat = now;
      v1::AgentMessage hb;
      hb.mutable_heartbeat()->set_sequence(++heartbeat_seq_);
      send(std::move(hb));
    }
    if (sink_ && now - last_resend >= std::chrono::duration<double>(kResendSeconds)) {
      last_resend = now;
      for (const auto& [id, task] : tasks_) {
        for (const auto& status : task.unacknowledged()) {
          v1::AgentMessage m;
          *m.mutable_status_update()->mutable_status() = status;
          send(std::move(m));
        }
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = false;
  }
  if (sink_) sink_->close();
}

// ------------------------------------------------------------------ master connection

v1::AgentMessage AgentLoop::registration() const {
  v1::AgentMessage message;
  v1::AgentInfo info;
  info.set_hostname(options_.hostname);
  info.set_endpoint(options_.endpoint);
  info.set_http_endpoint(options_.http_endpoint);
  wire::resourcesToProto(options_.host.resources, info.mutable_resources());
  for (const auto& [k, v] : options_.host.attributes) {
    auto* a = info.add_attributes();
    a->set_name(k);
    a->set_text(v);
  }
  if (agent_id_.empty()) {
    *message.mutable_register_agent()->mutable_agent_info() = info;
    message.mutable_register_agent()->set_version("0.1.0");
    return message;
  }
  auto* re = message.mutable_reregister_agent();
  info.set_agent_id(agent_id_);
  *re->mutable_agent_info() = info;
  re->set_version("0.1.0");
  // Every task with a checkpoint, ended ones included: a task the master placed here and does
  // not hear of would be declared lost, although its true final state is waiting to be sent.
  for (const auto& [id, task] : tasks_) {
    *re->add_tasks() = task.task();
    *re->add_task_statuses() = task.latest();
    re->add_framework_ids(task.framework_id());
  }
  return message;
}

void AgentLoop::connectLoop() {
  double backoff = 0.2;
  // --master may list several masters (a standby names the leader in its answer), or be a
  // zk:// URL: the masters are then read from their election znodes, again after every round
  // through the list, so masters that moved are found.
  const bool from_zk = client::isZkMasterUrl(options_.master);
  std::vector<std::string> masters;
  auto refresh = [&] {
    if (!from_zk) return;
    auto resolved = client::resolveMastersFromZk(options_.master, std::chrono::seconds(3));
    if (resolved.ok()) {
      masters = *std::move(resolved);
    } else {
      orch::log::logWarn("cannot find the masters in ZooKeeper",
                         {{"zk", options_.master}, {"error", std::string(resolved.status().message())}});
    }
  };
  if (from_zk) {
    refresh();
  } else {
    for (absl::string_view m : absl::StrSplit(options_.master, ',', absl::SkipWhitespace())) {
      masters.emplace_back(m);
    }
  }
  if (masters.empty()) masters.push_back(from_zk ? std::string("127.0.0.1:1") : options_.master);
  size_t index = 0;
  std::string target = masters[0];
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    // A fresh channel per attempt: a channel that failed its handshakes can stay in backoff
    // long after the master is back.
    auto stub = v1::AgentRegistry::NewStub(tls::makeChannel(target, creds_));
    // Build the registration on the loop thread, where the task table lives.
    auto promise = std::make_shared<std::promise<v1::AgentMessage>>();
    auto future = promise->get_future();
    post([this, promise] { promise->set_value(registration()); });
    auto sink = std::make_shared<Sink>();
    auto registered = std::make_shared<std::atomic<bool>>(false);
    // Waited for in steps: a stop() that came first leaves the loop thread gone.
    while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    auto stream = MasterStream::start(*stub, sink, future.get(),
                                      [this, sink, registered](v1::MasterMessage&& message) {
                                        if (message.has_registered()) registered->store(true);
                                        post(
                                            [this, message = std::move(message), sink] {
                                              onMasterMessage(message, sink);
                                            },
                                            Wake::kCallerDrains);
                                        drainHere();  // on gRPC's thread, holding no lock
                                      });
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream_ = stream;
      if (stopping_) stream->cancel();
    }
    grpc::Status status = stream->await();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream_.reset();
    }
    if (registered->load()) backoff = 0.2;
    const auto& trailers = stream->context().GetServerTrailingMetadata();
    const std::string failed_master = target;
    auto redirect = trailers.find("orch-leader");
    if (redirect != trailers.end() && !redirect->second.empty()) {
      target = std::string(redirect->second.data(), redirect->second.size());
      backoff = 0.05;  // the leader is known: go there at once
    } else {
      index = (index + 1) % masters.size();
      if (index == 0 && from_zk) {
        refresh();
        if (masters.empty()) masters.push_back("127.0.0.1:1");
      }
      target = masters[index % masters.size()];
    }
    post([this, sink] {
      if (sink_ == sink) sink_.reset();
    });
    connected_ = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;
      orch::log::logWarn("disconnected from master",
                         {{"master", failed_master},
                          {"next", target},
                          {"error", status.error_message()},
                          {"code", static_cast<int>(status.error_code())},
                          {"retry_in_s", backoff}});
      cv_.wait_for(lock, std::chrono::duration<double>(backoff), [&] { return stopping_; });
      if (stopping_) return;
    }
    backoff = std::min(backoff * 2, 2.0);
  }
}

void AgentLoop::onMasterMessage(const v1::MasterMessage& message, const std::shared_ptr<Sink>& sink) {
  if (message.batch_size() > 0) {
    if (message.message_case() != v1::MasterMessage::MESSAGE_NOT_SET) {
      v1::MasterMessage self = message;
      self.clear_batch();
      onMasterMessage(self, sink);
    }
    for (const v1::MasterMessage& m : message.batch()) {
      if (m.batch_size() == 0) onMasterMessage(m, sink);  // never nested
    }
    return;
  }
  if (message.has_registered()) {
    const std::string& id = message.registered().agent_id();
    {
      std::lock_guard<std::mutex> lock(mu_);
      agent_id_ = id;
    }
    v1::AgentCheckpoint checkpoint;
    checkpoint.set_agent_id(id);
    checkpoint.set_master(options_.master);
    if (auto s = replaceFile(options_.work_dir + "/meta/agent.pb", checkpoint.SerializeAsString());
        !s.ok()) {
      orch::log::logError("cannot checkpoint the agent id", {{"error", std::string(s.message())}});
    }
    if (message.registered().heartbeat_interval_seconds() > 0) {
      heartbeat_interval_ = message.registered().heartbeat_interval_seconds();
    }
    sink_ = sink;
    connected_ = true;
    orch::log::logInfo("registered with master", {{"agent_id", id}});
    for (const auto& [task_id, task] : tasks_) {
      for (const auto& status : task.unacknowledged()) {
        v1::AgentMessage m;
        *m.mutable_status_update()->mutable_status() = status;
        send(std::move(m));
      }
    }
    return;
  }
  if (sink != sink_) return;  // from a stream that is no longer current
  if (message.has_run_tasks()) {
    runTasks(message.run_tasks());
  } else if (message.has_kill_task()) {
    killTask(message.kill_task());
  } else if (message.has_acknowledge()) {
    acknowledge(message.acknowledge().task_id(), message.acknowledge().uuid());
  } else if (message.has_shutdown()) {
    orch::log::logWarn("the master asked this agent to shut down",
                       {{"message", message.shutdown().message()}});
  }
}

void AgentLoop::send(v1::AgentMessage message) {
  if (sink_) sink_->push(std::move(message));
}

// ------------------------------------------------------------------ tasks

void AgentLoop::checkpoint(const v1::TaskCheckpoint& task) {
  unsaved_acks_.erase(task.task().task_id());
  if (auto s = store_.write(task); !s.ok()) {
    orch::log::logError("cannot checkpoint task", {{"task_id", task.task().task_id()},
                                                   {"error", std::string(s.message())}});
  }
}

void AgentLoop::forget(const std::string& task_id) {
  store_.remove(task_id);
  unsaved_acks_.erase(task_id);
  tasks_.erase(task_id);
}

void AgentLoop::saveAcks() {
  std::set<std::string> ids;
  ids.swap(unsaved_acks_);
  for (const std::string& id : ids) {
    auto it = tasks_.find(id);
    if (it != tasks_.end()) checkpoint(it->second);
  }
}

void AgentLoop::report(const std::string& task_id, v1::TaskState state,
                       v1::TaskStatus::Reason reason, const std::string& message,
                       std::optional<int> exit_code) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  v1::TaskCheckpoint& task = it->second;
  v1::TaskStatus status;
  status.set_task_id(task_id);
  status.set_framework_id(task.framework_id());
  status.set_agent_id(agent_id_);
  status.set_state(state);
  status.set_reason(reason);
  status.set_source(v1::TaskStatus::SOURCE_AGENT);
  status.set_message(message);
  status.set_timestamp(nowSeconds());
  status.set_uuid(newUuid());
  if (exit_code) {
    status.set_has_exit_code(true);
    status.set_exit_code(*exit_code);
  }
  *task.mutable_latest() = status;
  *task.add_unacknowledged() = status;
  checkpoint(task);
  if (terminal(state)) {
    std::lock_guard<std::mutex> lock(mu_);
    live_tasks_.erase(task_id);
  }
  v1::AgentMessage m;
  *m.mutable_status_update()->mutable_status() = std::move(status);
  send(std::move(m));
  metrics_.counter("orch_agent_status_updates_total", "Status updates produced",
                   {{"state", v1::TaskState_Name(state)}}).inc();
}

void AgentLoop::acknowledge(const std::string& task_id, const std::string& uuid) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  v1::TaskCheckpoint& task = it->second;
  auto* pending = task.mutable_unacknowledged();
  for (int i = 0; i < pending->size(); ++i) {
    if ((*pending)[i].uuid() == uuid) {
      pending->DeleteSubrange(i, 1);
      break;
    }
  }
  if (pending->empty() && terminal(task.latest().state())) {
    forget(task_id);  // nothing more to say about it; its sandbox stays for its logs
  } else {
    // Saved with the task's next status change or within kAckSaveInterval, whichever is first:
    // a restart in between only sends the acknowledged update again (updates are at least
    // once), while most short tasks skip this rewrite altogether.
    unsaved_acks_.insert(task_id);
  }
}

ProcessTaskSpec AgentLoop::specFor(const std::string& framework_id, const v1::TaskInfo& info) const {
  ProcessTaskSpec spec;
  spec.task_id = info.task_id();
  spec.framework_id = framework_id;
  spec.shell = info.command().shell();
  if (spec.shell) {
    spec.command = info.command().value();
  } else if (info.command().arguments_size() > 0) {
    spec.argv.assign(info.command().arguments().begin(), info.command().arguments().end());
  } else {
    spec.argv = {info.command().value()};
  }
  for (const auto& var : info.command().environment().variables()) {
    spec.environment[var.name()] = var.value();
  }
  spec.environment["ORCH_TASK_ID"] = info.task_id();
  spec.environment["ORCH_FRAMEWORK_ID"] = framework_id;
  spec.environment["ORCH_AGENT_ID"] = agent_id_;
  int port_index = 0;
  for (const auto& r : info.resources()) {
    if (r.name() != "ports" || r.type() != v1::Resource::RANGES) continue;
    for (const auto& range : r.ranges().range()) {
      for (uint64_t p = range.begin(); p <= range.end() && port_index < 100; ++p) {
        spec.environment[absl::StrCat("PORT", port_index++)] = std::to_string(p);
      }
    }
  }
  spec.cpus = scalarOf(info, "cpus");
  spec.mem_bytes = static_cast<uint64_t>(scalarOf(info, "mem") * 1024 * 1024);
  if (info.has_kill_policy()) {
    spec.kill_grace = std::chrono::milliseconds(
        static_cast<int64_t>(info.kill_policy().grace_period_seconds() * 1000));
  }
  return spec;
}

void AgentLoop::runTasks(const v1::MasterMessage::RunTasks& run) {
  // Each task is recorded (STAGING, checkpointed) here, and started on a launcher thread, so a
  // slow start (a supervisor's, a Docker image pull) never holds up the loop, which may be
  // running on one of gRPC's threads (drainHere).
  using Launch = std::pair<std::string, std::function<absl::Status()>>;
  std::vector<Launch> launches;
  for (const v1::TaskInfo& info : run.tasks()) {
    const std::string& id = info.task_id();
    if (tasks_.count(id)) {
      // Same id already here: never start a second copy.
      orch::log::logWarn("duplicate task id in launch", {{"task_id", id}});
      continue;
    }
    v1::TaskCheckpoint task;
    task.set_framework_id(run.framework_id());
    *task.mutable_task() = info;
    task.mutable_latest()->set_task_id(id);
    task.mutable_latest()->set_state(v1::TASK_STAGING);
    tasks_[id] = task;
    {
      std::lock_guard<std::mutex> lock(mu_);
      known_tasks_.insert(id);
      live_tasks_.insert(id);
    }
    std::function<absl::Status()> launch;
    if (info.container().type() == v1::ContainerInfo::DOCKER) {
      DockerTaskSpec spec;
      spec.task = specFor(run.framework_id(), info);
      spec.image = info.container().docker().image();
      spec.force_pull_image = info.container().docker().force_pull_image();
      launch = [this, spec] {
        if (absl::Status ready = dockerReady(); !ready.ok()) return ready;
        return docker_->launch(spec);
      };
    } else {
      ProcessTaskSpec spec = specFor(run.framework_id(), info);
      launch = [this, spec] { return containerizer_->launch(spec); };
    }
    checkpoint(tasks_[id]);
    launching_.insert(id);
    launches.emplace_back(id, std::move(launch));
  }
  if (launches.empty()) return;
  // A group (LAUNCH_GROUP) is all or nothing: its tasks start one after another; once one
  // fails, the rest are not started and those that did start are killed at once.
  launch_queue_.push([this, launches] {
    const bool group = launches.size() > 1;
    std::vector<std::pair<std::string, absl::Status>> results;
    bool group_failed = false;
    std::string failure;
    for (const auto& [id, launch] : launches) {
      if (group_failed) {
        results.emplace_back(id, absl::AbortedError("another task of its group failed to launch: " + failure));
        continue;
      }
      absl::Status status = launch();
      if (!status.ok() && group) {
        group_failed = true;
        failure = std::string(status.message());
      }
      results.emplace_back(id, std::move(status));
    }
    post(
        [this, results, group_failed] {
          for (const auto& [id, status] : results) onLaunched(id, status);
          if (!group_failed) return;
          for (const auto& [id, status] : results) {
            if (status.ok()) killIn(id, std::chrono::milliseconds(0)).IgnoreError();
          }
        },
        Wake::kCallerDrains);
    drainHere();
  });
}

void AgentLoop::onLaunched(const std::string& id, const absl::Status& status) {
  launching_.erase(id);
  if (!status.ok()) {
    kill_after_launch_.erase(id);
    ended_while_launching_.erase(id);
    report(id, v1::TASK_FAILED, v1::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED,
           std::string(status.message()));
    return;
  }
  metrics_.counter("orch_agent_tasks_launched_total", "Tasks launched").inc();
  report(id, v1::TASK_RUNNING, v1::TaskStatus::REASON_NONE, "");
  if (auto ended = ended_while_launching_.find(id); ended != ended_while_launching_.end()) {
    const TaskExit exit = std::move(ended->second);
    ended_while_launching_.erase(ended);
    kill_after_launch_.erase(id);
    onExit(exit);
    return;
  }
  auto pending = kill_after_launch_.find(id);
  if (pending != kill_after_launch_.end()) {
    killIn(id, pending->second).IgnoreError();
    kill_after_launch_.erase(pending);
  }
}

void AgentLoop::killTask(const v1::MasterMessage::KillTask& kill) {
  auto it = tasks_.find(kill.task_id());
  if (it == tasks_.end()) return;
  if (terminal(it->second.latest().state())) return;
  auto grace = std::chrono::milliseconds(3000);
  if (kill.has_kill_policy()) {
    grace = std::chrono::milliseconds(
        static_cast<int64_t>(kill.kill_policy().grace_period_seconds() * 1000));
  }
  if (launching_.count(kill.task_id())) {
    kill_after_launch_[kill.task_id()] = grace;  // applied once its process exists
    return;
  }
  absl::Status s = killIn(kill.task_id(), grace);
  if (!s.ok()) {
    // Not running under the containerizer: it cannot be running at all.
    report(kill.task_id(), v1::TASK_KILLED, v1::TaskStatus::REASON_KILLED_BY_REQUEST,
           absl::StrCat("killed before it ran (", s.message(), ")"));
  }
}

bool AgentLoop::isDockerTask(const std::string& task_id) const {
  auto it = tasks_.find(task_id);
  return it != tasks_.end() && it->second.task().container().type() == v1::ContainerInfo::DOCKER;
}

absl::Status AgentLoop::dockerReady() {
  if (!docker_) {
    return absl::FailedPreconditionError(
        "Docker is disabled on this agent (started with --no-docker)");
  }
  if (absl::Status s = docker_->available(); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("Docker is unavailable on this agent: ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status AgentLoop::killIn(const std::string& task_id, std::chrono::milliseconds grace) {
  if (isDockerTask(task_id)) {
    if (!docker_) return absl::NotFoundError("Docker is disabled on this agent");
    return docker_->kill(task_id, grace);
  }
  return containerizer_->kill(task_id, grace);
}

void AgentLoop::pollExits() {
  if (!containerizer_) return;
  for (const TaskExit& exit : containerizer_->pollExits()) onExit(exit);
  if (docker_) {
    for (const TaskExit& exit : docker_->pollExits()) onExit(exit);
  }
}

void AgentLoop::onExit(const TaskExit& exit) {
  if (!tasks_.count(exit.task_id)) return;
  if (launching_.count(exit.task_id)) {
    // Ended before its launch was reported (a group member waiting for the rest of its group):
    // reported after its TASK_RUNNING, by onLaunched.
    ended_while_launching_.insert_or_assign(exit.task_id, exit);
    return;
  }
  switch (exit.end) {
    case TaskEnd::kExited:
      if (exit.exit_code == 0) {
        report(exit.task_id, v1::TASK_FINISHED, v1::TaskStatus::REASON_COMMAND_EXITED,
               "exited with status 0", 0);
      } else {
        report(exit.task_id, v1::TASK_FAILED, v1::TaskStatus::REASON_COMMAND_EXITED,
               absl::StrCat("exited with status ", exit.exit_code), exit.exit_code);
      }
      break;
    case TaskEnd::kSignaled:
      report(exit.task_id, v1::TASK_FAILED, v1::TaskStatus::REASON_SIGNALED,
             exit.message.empty() ? absl::StrCat("killed by signal ", exit.signal) : exit.message,
             128 + exit.signal);
      break;
    case TaskEnd::kOomKilled:
      report(exit.task_id, v1::TASK_FAILED, v1::TaskStatus::REASON_CONTAINER_LIMITATION_MEMORY,
             exit.message.empty() ? "memory limit exceeded" : exit.message, 137);
      break;
    case TaskEnd::kKilled:
      report(exit.task_id, v1::TASK_KILLED, v1::TaskStatus::REASON_KILLED_BY_REQUEST,
             exit.message.empty() ? "killed on request" : exit.message);
      break;
    case TaskEnd::kLost:
      report(exit.task_id, v1::TASK_LOST, v1::TaskStatus::REASON_EXECUTOR_TERMINATED,
             exit.message.empty() ? "its supervisor vanished" : exit.message);
      break;
  }
}

}  // namespace orch::agent
