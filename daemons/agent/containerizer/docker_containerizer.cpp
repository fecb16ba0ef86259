#include "agent/containerizer/docker_containerizer.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "agent/containerizer/file_io.h"
#include "agent/containerizer/task_id.h"
#include "agent/containerizer/task_layout.h"
#include "agent/supervisor/rotating_log.h"

namespace orch::agent {
namespace {

constexpr int64_t kDockerMinMemory = 6
                                     << 20; // the daemon refuses smaller limits
constexpr auto kRecheckInterval = std::chrono::seconds(5);

std::string mb(int64_t bytes) { return absl::StrCat(bytes / (1 << 20), " MB"); }

// The stdout/stderr copies of one container's output in its sandbox. Each start
// replaces the files (a new inode), so a reader following the old file notices
// and starts over.
class SandboxLogs {
public:
  SandboxLogs(const std::string &sandbox, uint64_t max_bytes, int keep)
      : out_(sandbox + "/stdout", max_bytes, keep),
        err_(sandbox + "/stderr", max_bytes, keep) {
    ::unlink((sandbox + "/stdout").c_str());
    ::unlink((sandbox + "/stderr").c_str());
    if (auto s = out_.open(); !s.ok())
      spdlog::warn("docker containerizer: {}", std::string(s.message()));
    if (auto s = err_.open(); !s.ok())
      spdlog::warn("docker containerizer: {}", std::string(s.message()));
  }
  void write(DockerStreamDemuxer::Stream stream, absl::string_view data) {
    RotatingLog &log =
        stream == DockerStreamDemuxer::Stream::kStderr ? err_ : out_;
    log.write(data).IgnoreError(); // a full disk drops output; the task goes on
  }

private:
  RotatingLog out_;
  RotatingLog err_;
};

} // namespace

struct DockerContainerizer::Impl {
  struct Tracked {
    std::string framework_id;
    std::string container_id;
    std::string name;
    std::string sandbox;
    int pid = 0;
    bool kill_requested = false;
    bool ended = false;
    HttpCancel cancel; // ends the watcher's stream at shutdown
    std::thread watcher;
    std::thread killer;
  };

  DockerContainerizerOptions options;
  DockerClient client;
  bool has_init = false;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::unique_ptr<Tracked>> tasks; // guarded by mu
  std::vector<TaskExit> pending;                         // guarded by mu
  bool stopping = false;                                 // guarded by mu
  std::deque<std::pair<std::string, std::string>>
      to_remove;             // guarded by mu: task, container
  absl::Status availability; // guarded by mu
  std::chrono::steady_clock::time_point checked_at; // guarded by mu
  std::thread reaper;

  explicit Impl(DockerContainerizerOptions opts)
      : options(std::move(opts)), client(options.socket_path) {
    char resolved[PATH_MAX];
    if (!options.work_dir.empty() &&
        ::realpath(options.work_dir.c_str(), resolved) != nullptr) {
      options.work_dir = resolved;
    }
    probe();
    reaper = std::thread([this] { reap(); });
  }

  // Asks the daemon whether it is there (and whether docker-init is installed).
  void probe() {
    absl::Status s = client.ping();
    bool init = false;
    if (s.ok()) {
      auto v = client.version();
      if (v.ok()) {
        init = v->has_init;
        spdlog::info("docker containerizer: Docker {} (API {}) at {}",
                     v->version, v->api_version, options.socket_path);
      } else {
        s = v.status();
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    availability = s;
    has_init = init;
    checked_at = std::chrono::steady_clock::now();
  }

  std::string stateDir() const { return options.work_dir + "/docker"; }
  std::string killMarker(const std::string &task_id) const {
    return stateDir() + "/" + task_id + ".kill";
  }

  // The watcher: copies the output until the container stops, then records how
  // it ended.
  void watch(const std::string &task_id, Tracked *t) {
    {
      SandboxLogs logs(t->sandbox, options.log_max_bytes,
                       options.log_keep_files);
      absl::Status followed = client.followLogs(
          t->container_id,
          [&](DockerStreamDemuxer::Stream s, absl::string_view data) {
            logs.write(s, data);
          },
          &t->cancel);
      if (t->cancel.cancelled())
        return;
      if (!followed.ok()) {
        spdlog::warn("docker containerizer: task {}: {}", task_id,
                     std::string(followed.message()));
      }
    }
    absl::StatusOr<int> code = absl::UnknownError("not waited");
    while (true) {
      code = client.waitContainer(t->container_id, &t->cancel);
      if (t->cancel.cancelled())
        return;
      if (code.ok() || absl::IsNotFound(code.status()))
        break;
      // The daemon is restarting or briefly unreachable: ask again.
      spdlog::warn("docker containerizer: task {}: {}", task_id,
                   std::string(code.status().message()));
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; });
      if (stopping)
        return;
    }
    TaskExit exit = describeEnd(task_id, *t, code);
    finish(t, std::move(exit));
  }

  TaskExit describeEnd(const std::string &task_id, const Tracked &t,
                       const absl::StatusOr<int> &waited) {
    TaskExit exit;
    exit.task_id = task_id;
    exit.framework_id = t.framework_id;
    bool killed;
    {
      std::lock_guard<std::mutex> lock(mu);
      killed = t.kill_requested;
    }
    auto state = client.inspectContainer(t.container_id);
    // dockerd records an OOM kill from containerd's OOM event, which it may handle after the
    // exit that answered our wait: a SIGKILLed container (137) we did not kill is asked about
    // again for a moment before its end is taken for a plain signal.
    for (int i = 0; i < 10 && !killed && state.ok() && !state->oom_killed && state->exit_code == 137; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto again = client.inspectContainer(t.container_id);
      if (!again.ok()) break;
      state = std::move(again);
    }
    if (!waited.ok() && !state.ok()) {
      exit.end = TaskEnd::kLost;
      exit.message = absl::StrCat("container ", t.name,
                                  " disappeared: ", state.status().message());
      return exit;
    }
    exit.exit_code = state.ok() ? state->exit_code : *waited;
    if (killed) {
      exit.end = TaskEnd::kKilled;
      exit.message =
          absl::StrCat("container ", t.name, " killed on request (exit code ",
                       exit.exit_code, ")");
    } else if (state.ok() && state->oom_killed) {
      exit.end = TaskEnd::kOomKilled;
      exit.message = state->memory_limit > 0
                         ? absl::StrCat("Memory limit exceeded: container ",
                                        t.name, " was OOM-killed at its ",
                                        mb(state->memory_limit), " limit")
                         : absl::StrCat("Memory limit exceeded: container ",
                                        t.name, " was OOM-killed");
    } else {
      exit.end = TaskEnd::kExited;
      if (state.ok() && !state->error.empty()) {
        exit.message = absl::StrCat("container ", t.name, ": ", state->error);
      }
    }
    return exit;
  }

  // Hands the end to pollExits(). The container stays until then: if the agent
  // stops first, the next recover() finds it ended and reports it again.
  void finish(Tracked *t, TaskExit exit) {
    std::lock_guard<std::mutex> lock(mu);
    t->ended = true;
    pending.push_back(std::move(exit));
    cv.notify_all();
  }

  // Removes containers whose end pollExits() has handed out, off the caller's
  // thread.
  void reap() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      cv.wait(lock, [&] { return stopping || !to_remove.empty(); });
      if (to_remove.empty())
        return; // stopping, and nothing left to remove
      auto [task_id, container] = to_remove.front();
      to_remove.pop_front();
      lock.unlock();
      if (auto s = client.removeContainer(container, true); !s.ok()) {
        spdlog::warn("docker containerizer: task {}: {}", task_id,
                     std::string(s.message()));
      }
      ::unlink(killMarker(task_id).c_str());
      lock.lock();
    }
  }

  // SIGTERM now, SIGKILL once `grace` passes without the container ending.
  void startKiller(const std::string &task_id, Tracked *t,
                   std::chrono::milliseconds grace) {
    t->killer = std::thread([this, task_id, t, grace] {
      if (auto s = client.killContainer(t->container_id, "SIGTERM");
          !s.ok() && !absl::IsFailedPrecondition(s)) {
        spdlog::warn("docker containerizer: task {}: {}", task_id,
                     std::string(s.message()));
      }
      {
        // At shutdown the kill marker stays behind and recover() starts a new
        // killer.
        std::unique_lock<std::mutex> lock(mu);
        if (cv.wait_for(lock, grace, [&] { return t->ended || stopping; }))
          return;
      }
      if (auto s = client.killContainer(t->container_id, "SIGKILL");
          !s.ok() && !absl::IsFailedPrecondition(s)) {
        spdlog::warn("docker containerizer: task {}: {}", task_id,
                     std::string(s.message()));
      }
    });
  }

  Tracked *track(const std::string &task_id, std::unique_ptr<Tracked> t) {
    std::lock_guard<std::mutex> lock(mu);
    Tracked *raw = t.get();
    tasks[task_id] = std::move(t);
    return raw;
  }

  void startWatcher(const std::string &task_id, Tracked *t) {
    std::lock_guard<std::mutex> lock(mu);
    t->watcher = std::thread([this, task_id, t] { watch(task_id, t); });
  }

  static void join(Tracked &t) {
    if (t.watcher.joinable())
      t.watcher.join();
    if (t.killer.joinable())
      t.killer.join();
  }
};

std::string DockerContainerizer::containerName(const std::string &framework_id,
                                               const std::string &task_id) {
  std::string name = "orch-";
  for (char c : framework_id + "-" + task_id) {
    bool ok = isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
              c == '-';
    name += ok ? c : '_';
  }
  return name;
}

DockerContainerizer::DockerContainerizer(DockerContainerizerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

DockerContainerizer::~DockerContainerizer() {
  std::vector<Impl::Tracked *> all;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    for (auto &[id, t] : impl_->tasks)
      all.push_back(t.get());
  }
  impl_->cv.notify_all();
  for (Impl::Tracked *t : all)
    t->cancel.cancel();
  for (Impl::Tracked *t : all)
    Impl::join(*t);
  if (impl_->reaper.joinable())
    impl_->reaper.join();
}

absl::Status DockerContainerizer::available() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->availability.ok() ||
        std::chrono::steady_clock::now() - impl_->checked_at <
            kRecheckInterval) {
      return impl_->availability;
    }
  }
  impl_->probe();
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->availability;
}

absl::Status DockerContainerizer::launch(const DockerTaskSpec &spec) {
  const ProcessTaskSpec &task = spec.task;
  if (absl::Status s = validateTaskId(task.task_id); !s.ok())
    return s;
  if (absl::StripAsciiWhitespace(spec.image).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", task.task_id, ": container.docker.image is empty"));
  }
  if (!std::isfinite(task.cpus) || task.cpus < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", task.task_id, ": cpus must be a finite number >= 0"));
  }
  if (task.mem_bytes > 0 &&
      task.mem_bytes < static_cast<uint64_t>(kDockerMinMemory)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", task.task_id, ": a Docker task needs at least ",
        mb(kDockerMinMemory), " of memory, got ", task.mem_bytes, " bytes"));
  }
  if (absl::Status s = available(); !s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("Docker is unavailable on this agent: ", s.message()));
  }
  if (knows(task.task_id)) {
    return absl::AlreadyExistsError(
        absl::StrCat("task ", task.task_id, " is already running"));
  }
  if (spec.force_pull_image) {
    if (auto s = impl_->client.pullImage(spec.image); !s.ok()) {
      return absl::UnavailableError(
          absl::StrCat(s.message(), " (force_pull_image is set; this agent "
                                    "found no registry to pull from)"));
    }
  } else if (auto image = impl_->client.inspectImage(spec.image); !image.ok()) {
    if (absl::IsNotFound(image.status())) {
      return absl::NotFoundError(
          absl::StrCat(image.status().message(),
                       " (images are not pulled unless force_pull_image is "
                       "set: build or load it there)"));
    }
    return image.status();
  }

  const std::string sandbox =
      TaskLayout::of(impl_->options.work_dir, task.task_id).sandbox;
  if (auto s = makeDirs(sandbox); !s.ok()) {
    return absl::InternalError(absl::StrCat("task ", task.task_id, ": sandbox ",
                                            sandbox, ": ", s.message()));
  }
  if (auto s = makeDirs(impl_->stateDir()); !s.ok())
    return s;

  DockerContainerSpec c;
  c.name = containerName(task.framework_id, task.task_id);
  c.image = spec.image;
  if (task.shell) {
    if (!absl::StripAsciiWhitespace(task.command).empty()) {
      c.entrypoint = {"/bin/sh", "-c"};
      c.cmd = {task.command};
    }
  } else if (!task.argv.empty()) {
    c.entrypoint = {task.argv[0]};
    c.cmd.assign(task.argv.begin() + 1, task.argv.end());
    if (c.cmd.empty())
      c.cmd = {}; // an empty Cmd keeps the image's (none for a plain argv[0])
  }
  c.env = task.environment;
  c.env["ORCH_SANDBOX"] = impl_->options.sandbox_mount;
  c.labels = {{kTaskLabel, task.task_id},
              {kFrameworkLabel, task.framework_id},
              {kAgentLabel, impl_->options.work_dir}};
  if (task.cpus > 0) {
    c.cpu_shares = std::max<int64_t>(2, std::llround(task.cpus * 1024));
    c.nano_cpus = std::llround(task.cpus * 1e9);
  }
  c.memory_bytes = static_cast<int64_t>(task.mem_bytes);
  c.binds = {sandbox + ":" + impl_->options.sandbox_mount};
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c.init = impl_->has_init;
  }
  c.log_max_bytes = static_cast<int64_t>(impl_->options.log_max_bytes);
  c.log_max_files = impl_->options.log_keep_files + 1;

  auto created = impl_->client.createContainer(c);
  if (!created.ok())
    return absl::Status(
        created.status().code(),
        absl::StrCat("task ", task.task_id, ": ", created.status().message()));

  auto tracked = std::make_unique<Impl::Tracked>();
  tracked->framework_id = task.framework_id;
  tracked->container_id = *created;
  tracked->name = c.name;
  tracked->sandbox = sandbox;
  if (auto s = impl_->client.startContainer(*created); !s.ok()) {
    impl_->client.removeContainer(*created, true).IgnoreError();
    return absl::Status(s.code(),
                        absl::StrCat("task ", task.task_id, ": ", s.message()));
  }
  if (auto state = impl_->client.inspectContainer(*created); state.ok())
    tracked->pid = state->pid;
  Impl::Tracked *t = impl_->track(task.task_id, std::move(tracked));
  impl_->startWatcher(task.task_id, t);
  return absl::OkStatus();
}

absl::Status DockerContainerizer::kill(const std::string &task_id,
                                       std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(task_id);
  if (it == impl_->tasks.end()) {
    return absl::NotFoundError(
        absl::StrCat("no Docker task ", task_id, " on this agent"));
  }
  Impl::Tracked *t = it->second.get();
  if (t->ended || t->kill_requested)
    return absl::OkStatus();
  t->kill_requested = true;
  // Remembered across an agent restart, so the end is still reported as a kill.
  writeFileAtomic(impl_->killMarker(task_id), std::to_string(grace.count()),
                  false)
      .IgnoreError();
  impl_->startKiller(task_id, t, grace);
  return absl::OkStatus();
}

std::vector<RunningTask> DockerContainerizer::recover() {
  std::vector<RunningTask> out;
  if (!available().ok()) {
    spdlog::warn("docker containerizer: nothing recovered: {}",
                 std::string(available().message()));
    return out;
  }
  auto list = impl_->client.listContainers(
      {absl::StrCat(kAgentLabel, "=", impl_->options.work_dir)});
  if (!list.ok()) {
    spdlog::error("docker containerizer: cannot recover: {}",
                  std::string(list.status().message()));
    return out;
  }
  for (const DockerContainerSummary &c : *list) {
    auto id_label = c.labels.find(kTaskLabel);
    if (id_label == c.labels.end() || !validateTaskId(id_label->second).ok())
      continue;
    const std::string &task_id = id_label->second;
    if (knows(task_id))
      continue;
    if (c.state == "created") {
      // Its launch never completed: the agent reports the task lost.
      impl_->client.removeContainer(c.id, true).IgnoreError();
      continue;
    }
    auto t = std::make_unique<Impl::Tracked>();
    auto fw = c.labels.find(kFrameworkLabel);
    t->framework_id = fw != c.labels.end() ? fw->second : "";
    t->container_id = c.id;
    t->name = c.name;
    t->sandbox = TaskLayout::of(impl_->options.work_dir, task_id).sandbox;
    makeDirs(t->sandbox).IgnoreError();
    auto marker = readWholeFile(impl_->killMarker(task_id));
    t->kill_requested = marker.ok();
    const bool live =
        c.state == "running" || c.state == "paused" || c.state == "restarting";
    if (!live) {
      // Ended while the agent was down: collect it now so the agent reports it
      // at once.
      {
        SandboxLogs files(t->sandbox, impl_->options.log_max_bytes,
                          impl_->options.log_keep_files);
        if (auto logs = impl_->client.logs(c.id); logs.ok()) {
          files.write(DockerStreamDemuxer::Stream::kStdout, logs->out);
          files.write(DockerStreamDemuxer::Stream::kStderr, logs->err);
        }
      }
      Impl::Tracked *raw = impl_->track(task_id, std::move(t));
      TaskExit exit =
          impl_->describeEnd(task_id, *raw, absl::UnknownError("not waited"));
      impl_->finish(raw, std::move(exit));
      continue;
    }
    if (auto state = impl_->client.inspectContainer(c.id); state.ok())
      t->pid = state->pid;
    out.push_back(RunningTask{task_id, t->framework_id, t->pid, t->sandbox});
    Impl::Tracked *raw = impl_->track(task_id, std::move(t));
    impl_->startWatcher(task_id, raw);
    if (raw->kill_requested) {
      int64_t grace_ms = 0;
      absl::SimpleAtoi(absl::StripAsciiWhitespace(*marker), &grace_ms);
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->startKiller(task_id, raw, std::chrono::milliseconds(grace_ms));
    }
    spdlog::info("docker containerizer: re-attached to container {} of task {}",
                 c.name, task_id);
  }
  return out;
}

std::vector<TaskExit> DockerContainerizer::pollExits() {
  std::vector<TaskExit> exits;
  std::vector<std::unique_ptr<Impl::Tracked>> done;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->pending.empty())
      return exits;
    exits.swap(impl_->pending);
    for (const TaskExit &e : exits) {
      auto it = impl_->tasks.find(e.task_id);
      if (it == impl_->tasks.end())
        continue;
      impl_->to_remove.emplace_back(e.task_id, it->second->container_id);
      done.push_back(std::move(it->second));
      impl_->tasks.erase(it);
    }
  }
  impl_->cv.notify_all();
  for (auto &t : done)
    Impl::join(*t); // both threads are finishing or finished
  return exits;
}

std::vector<RunningTask> DockerContainerizer::running() const {
  std::vector<RunningTask> out;
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const auto &[id, t] : impl_->tasks) {
    if (!t->ended)
      out.push_back(RunningTask{id, t->framework_id, t->pid, t->sandbox});
  }
  return out;
}

bool DockerContainerizer::knows(const std::string &task_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tasks.count(task_id) > 0;
}

absl::StatusOr<std::string>
DockerContainerizer::sandboxPath(const std::string &task_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(task_id);
  if (it == impl_->tasks.end()) {
    return absl::NotFoundError(
        absl::StrCat("no Docker task ", task_id, " on this agent"));
  }
  return it->second->sandbox;
}

} // namespace orch::agent
