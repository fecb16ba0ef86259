// Integration tests of the process containerizer with the real orch-task-supervisor: real
// processes, real cgroups when running as root (the OOM test skips otherwise).
#include "agent/containerizer/process_containerizer.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/match.h"

using namespace std::chrono_literals;
using orch::agent::ContainerizerOptions;
using orch::agent::ProcessContainerizer;
using orch::agent::ProcessTaskSpec;
using orch::agent::RunningTask;
using orch::agent::TaskEnd;
using orch::agent::TaskExit;

namespace {

QString endName(TaskEnd e) {
  switch (e) {
    case TaskEnd::kExited:
      return "exited";
    case TaskEnd::kSignaled:
      return "signaled";
    case TaskEnd::kOomKilled:
      return "oom_killed";
    case TaskEnd::kKilled:
      return "killed";
    case TaskEnd::kLost:
      return "lost";
  }
  return "?";
}

QString describe(const TaskExit& e) {
  return QString("%1: %2 code=%3 signal=%4 (%5)")
      .arg(QString::fromStdString(e.task_id), endName(e.end))
      .arg(e.exit_code)
      .arg(e.signal)
      .arg(QString::fromStdString(e.message));
}

QByteArray readFile(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

// Pids of processes whose environment carries ORCH_TASK_ID=<prefix>...: every descendant of a
// task inherits it, so this finds leftovers even when they left the process group.
std::vector<pid_t> processesOfTasks(const std::string& id_prefix) {
  std::vector<pid_t> out;
  const std::string needle = "ORCH_TASK_ID=" + id_prefix;
  const QStringList entries = QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
  for (const QString& name : entries) {
    bool ok = false;
    const int pid = name.toInt(&ok);
    if (!ok || pid == getpid()) continue;
    const QByteArray env = readFile(QString("/proc/%1/environ").arg(pid));
    for (const QByteArray& var : env.split('\0')) {
      if (var.startsWith(QByteArray::fromStdString(needle))) {
        // Zombies have an empty environ, so anything found here is alive.
        out.push_back(pid);
        break;
      }
    }
  }
  return out;
}

// Live (non-zombie) processes in process group pgid.
std::vector<pid_t> processesInGroup(pid_t pgid) {
  std::vector<pid_t> out;
  const QStringList entries = QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
  for (const QString& name : entries) {
    bool ok = false;
    const int pid = name.toInt(&ok);
    if (!ok) continue;
    const QByteArray stat = readFile(QString("/proc/%1/stat").arg(pid));
    const int close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    if (fields.size() > 2 && fields[0] != "Z" && fields[2].toInt() == pgid) out.push_back(pid);
  }
  return out;
}

pid_t parentOf(pid_t pid) {
  const QByteArray stat = readFile(QString("/proc/%1/stat").arg(pid));
  const int close = stat.lastIndexOf(')');
  if (close < 0) return 0;
  const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
  return fields.size() > 1 ? fields[1].toInt() : 0;
}

// Whether this machine lets us put tasks in memory-limited cgroups (the same test the
// containerizer makes: root, and a v2 memory controller or a v1 memory hierarchy).
std::optional<QString> cgroupsUnavailableReason() {
  if (geteuid() != 0) return QString("not running as root: cgroups are not writable");
  const QByteArray v2 = readFile("/sys/fs/cgroup/cgroup.controllers");
  if (v2.contains("memory")) return std::nullopt;
  if (QFile::exists("/sys/fs/cgroup/memory/cgroup.procs") &&
      QFile::exists("/sys/fs/cgroup/cpu/cgroup.procs")) {
    return std::nullopt;
  }
  return QString("no cgroup v2 memory controller and no cgroup v1 memory+cpu hierarchies");
}

}  // namespace

class ProcessContainerizerTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<QTemporaryDir> dir_;
  std::unique_ptr<ProcessContainerizer> c_;
  std::string prefix_;  // unique per test function: task ids start with it
  int next_ = 0;
  std::map<std::string, TaskExit> exits_;
  std::map<std::string, int> report_counts_;

  ContainerizerOptions options() const {
    ContainerizerOptions o;
    o.work_dir = dir_->path().toStdString();
    o.supervisor_path = ORCH_TASK_SUPERVISOR_PATH;
    o.cgroup_parent = "orchestrator-test";
    return o;
  }

  std::string newId(const std::string& what) { return prefix_ + what + std::to_string(next_++); }

  ProcessTaskSpec shellTask(const std::string& id, const std::string& command) {
    ProcessTaskSpec s;
    s.task_id = id;
    s.framework_id = "fw-test";
    s.command = command;
    return s;
  }

  void poll(ProcessContainerizer& c) {
    for (TaskExit& e : c.pollExits()) {
      report_counts_[e.task_id]++;
      exits_[e.task_id] = std::move(e);
    }
  }

  // Polls until task id is reported or timeout passes.
  std::optional<TaskExit> waitForExit(ProcessContainerizer& c, const std::string& id,
                                      std::chrono::milliseconds timeout = 20s) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeout.count()) {
      poll(c);
      auto it = exits_.find(id);
      if (it != exits_.end()) return it->second;
      QThread::msleep(2);
    }
    return std::nullopt;
  }

  bool waitForFileContaining(const QString& path, const QByteArray& text,
                             std::chrono::milliseconds timeout = 10s) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeout.count()) {
      if (readFile(path).contains(text)) return true;
      QThread::msleep(5);
    }
    return false;
  }

  QString sandboxFile(const std::string& id, const QString& name) {
    auto sandbox = c_->sandboxPath(id);
    return sandbox.ok() ? QString::fromStdString(*sandbox) + "/" + name : QString();
  }

 private slots:
  void init() {
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
    prefix_ = "t" + std::to_string(getpid()) + "-" +
              std::to_string(QRandomGenerator::global()->bounded(1000000)) + "-";
    exits_.clear();
    report_counts_.clear();
    c_ = std::make_unique<ProcessContainerizer>(options());
  }

  // Runs after every test, also a failed one: no task process may survive it.
  void cleanup() {
    if (c_) {
      for (const RunningTask& t : c_->running()) (void)c_->kill(t.task_id, 0ms);
      QElapsedTimer t;
      t.start();
      while (!c_->running().empty() && t.elapsed() < 5000) {
        poll(*c_);
        QThread::msleep(5);
      }
    }
    for (pid_t pid : processesOfTasks(prefix_)) ::kill(pid, SIGKILL);
    c_.reset();
    // A cgroup whose last process just left can stay busy past destroy()'s retries: sweep the
    // idle pooled ones of this test's work dir once more, so none outlives the test.
    ProcessContainerizer::removeIdleCgroups(options());
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    QElapsedTimer t;
    t.start();
    while (!processesOfTasks(prefix_).empty() && t.elapsed() < 2000) QThread::msleep(10);
    QVERIFY2(processesOfTasks(prefix_).empty(), "task processes survived the test");
  }

  void echoHelloWritesStdoutAndExitsZero() {
    const std::string id = newId("echo");
    QVERIFY2(c_->launch(shellTask(id, "echo hello; echo oops >&2")).ok(), "launch failed");
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY2(e.has_value(), "no exit reported");
    QCOMPARE(e->end, TaskEnd::kExited);
    QCOMPARE(e->exit_code, 0);
    QCOMPARE(e->framework_id, std::string("fw-test"));
    QCOMPARE(readFile(sandboxFile(id, "stdout")), QByteArray("hello\n"));
    QCOMPARE(readFile(sandboxFile(id, "stderr")), QByteArray("oops\n"));
  }

  void argvTaskSeesEnvironmentAndSandbox() {
    const std::string id = newId("argv");
    ProcessTaskSpec s;
    s.task_id = id;
    s.shell = false;
    s.argv = {"sh", "-c", "echo \"$GREETING $ORCH_TASK_ID\"; pwd"};
    s.environment = {{"GREETING", "hi"}};
    QVERIFY(c_->launch(s).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kExited);
    const QByteArray out = readFile(sandboxFile(id, "stdout"));
    QVERIFY2(out.startsWith(QByteArray::fromStdString("hi " + id + "\n")), out.constData());
    QVERIFY2(out.contains(QByteArray::fromStdString("/sandboxes/" + id)), out.constData());
  }

  void missingProgramEndsWithCode127() {
    const std::string id = newId("missing");
    ProcessTaskSpec s;
    s.task_id = id;
    s.shell = false;
    s.argv = {"/nonexistent/program-orch-test"};
    QVERIFY(c_->launch(s).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QVERIFY2(e->end == TaskEnd::kExited && e->exit_code == 127, qPrintable(describe(*e)));
    QVERIFY2(absl::StrContains(e->message, "/nonexistent/program-orch-test") &&
                 absl::StrContains(e->message, "No such file"),
             e->message.c_str());
    QVERIFY(c_->running().empty());
  }

  void exitCodeIsReported() {
    const std::string id = newId("exit3");
    QVERIFY(c_->launch(shellTask(id, "exit 3")).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kExited);
    QCOMPARE(e->exit_code, 3);
  }

  // Supervisors come from the spawner (not children of the agent, ends announced without
  // polling) or, with use_spawner off, are started one program per task as our children.
  void supervisorsComeFromTheSpawnerOrDirectly_data() {
    QTest::addColumn<bool>("use_spawner");
    QTest::newRow("spawner") << true;
    QTest::newRow("one program per task") << false;
  }

  void supervisorsComeFromTheSpawnerOrDirectly() {
    QFETCH(bool, use_spawner);
    // Shared with the callback, which may still run while c_ is destroyed after this function.
    auto announced = std::make_shared<std::atomic<int>>(0);
    ContainerizerOptions o = options();
    o.use_spawner = use_spawner;
    o.on_task_end = [announced] { (*announced)++; };
    c_ = std::make_unique<ProcessContainerizer>(o);
    const std::string id = newId("origin");
    QVERIFY(c_->launch(shellTask(id, "sleep 0.3; exit 4")).ok());
    const pid_t supervisor = parentOf(c_->running().at(0).pid);
    QVERIFY(supervisor > 1);
    const pid_t supervisor_parent = parentOf(supervisor);
    if (use_spawner) {
      QVERIFY2(supervisor_parent != getpid(), "the supervisor is our own child");
      QVERIFY(!c_->needsPolling());
    } else {
      QCOMPARE(supervisor_parent, getpid());
    }
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kExited);
    QCOMPARE(e->exit_code, 4);
    if (use_spawner) QTRY_VERIFY_WITH_TIMEOUT(announced->load() >= 1, 5000);
  }

  void signalDeathIsReported() {
    const std::string id = newId("sig");
    QVERIFY(c_->launch(shellTask(id, "kill -USR1 $$; sleep 5")).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QVERIFY2(e->end == TaskEnd::kSignaled, qPrintable(describe(*e)));
    QCOMPARE(e->signal, SIGUSR1);
  }

  void gracefulKillEndsWithKilled() {
    const std::string id = newId("graceful");
    QVERIFY(c_->launch(shellTask(id,
                                 "trap 'echo bye; exit 0' TERM; echo ready; "
                                 "while :; do sleep 0.05; done"))
                .ok());
    const std::vector<RunningTask> running = c_->running();
    QCOMPARE(running.size(), size_t{1});
    const pid_t pgid = running[0].pid;
    QVERIFY(pgid > 0);
    QVERIFY(waitForFileContaining(sandboxFile(id, "stdout"), "ready"));
    QElapsedTimer t;
    t.start();
    QVERIFY(c_->kill(id, 10s).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QVERIFY2(e->end == TaskEnd::kKilled, qPrintable(describe(*e)));
    QCOMPARE(e->exit_code, 0);
    QVERIFY2(t.elapsed() < 5000, "graceful kill waited for the grace period");
    QVERIFY2(absl::StrContains(e->message, "SIGTERM"), e->message.c_str());
    QCOMPARE(readFile(sandboxFile(id, "stdout")), QByteArray("ready\nbye\n"));
    QVERIFY(processesInGroup(pgid).empty());
  }

  void forcedKillAfterGraceLeavesNoProcess() {
    const std::string id = newId("forced");
    // Ignores SIGTERM; a background child in the group and one that left it (setsid).
    QVERIFY(c_->launch(shellTask(id,
                                 "trap '' TERM; sleep 1000 & setsid sleep 1000 & echo ready; "
                                 "while :; do sleep 0.05; done"))
                .ok());
    const pid_t pgid = c_->running().at(0).pid;
    QVERIFY(waitForFileContaining(sandboxFile(id, "stdout"), "ready"));
    QVERIFY(processesOfTasks(id).size() >= 3);
    QElapsedTimer t;
    t.start();
    QVERIFY(c_->kill(id, 300ms).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QVERIFY2(e->end == TaskEnd::kKilled, qPrintable(describe(*e)));
    QCOMPARE(e->signal, SIGKILL);
    QVERIFY2(t.elapsed() >= 300, "SIGKILL came before the grace period ended");
    QVERIFY2(absl::StrContains(e->message, "SIGKILL"), e->message.c_str());
    QVERIFY(processesInGroup(pgid).empty());
    QVERIFY2(processesOfTasks(id).empty(), "a process of the task survived the kill");
  }

  void leftoverProcessesAreKilledWhenTaskExits() {
    const std::string id = newId("orphans");
    QVERIFY(c_->launch(shellTask(id, "sleep 1000 & setsid sleep 1000 & echo started")).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kExited);
    QVERIFY2(processesOfTasks(id).empty(), "background processes outlived their task");
  }

  void logsRotateUnderACap() {
    ContainerizerOptions o = options();
    o.log_max_bytes = 1000;
    o.log_keep_files = 2;
    c_ = std::make_unique<ProcessContainerizer>(o);
    const std::string id = newId("rotate");
    // 60 numbered lines of 100 bytes: 6000 bytes through a 1000-byte cap keeping 2 old files.
    QVERIFY(c_->launch(shellTask(id,
                                 "i=100; while [ $i -lt 160 ]; do "
                                 "printf 'line %s %090d\\n' $i 0; i=$((i+1)); done"))
                .ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->exit_code, 0);
    const QByteArray current = readFile(sandboxFile(id, "stdout"));
    const QByteArray one = readFile(sandboxFile(id, "stdout.1"));
    const QByteArray two = readFile(sandboxFile(id, "stdout.2"));
    QVERIFY(!QFile::exists(sandboxFile(id, "stdout.3")));
    for (const QByteArray* f : {&current, &one, &two}) {
      QVERIFY2(!f->isEmpty() && f->size() <= 1000, QByteArray::number(f->size()).constData());
      QVERIFY(f->endsWith('\n'));  // whole lines
    }
    QVERIFY(current.contains("line 159 "));
    const QByteArray all = two + one + current;
    QVERIFY(all.indexOf("line 150 ") < all.indexOf("line 159 "));
    QVERIFY(!all.contains("line 100 "));  // rotated away
  }

  void oomKillIsReported() {
    if (std::optional<QString> why = cgroupsUnavailableReason()) {
      QSKIP(qPrintable("OOM detection needs a memory cgroup: " + *why));
    }
    const std::string id = newId("oom");
    ProcessTaskSpec s = shellTask(id, "head -c 200000000 /dev/zero | tail");
    s.mem_bytes = 32ull << 20;
    s.cpus = 0.5;
    QVERIFY(c_->launch(s).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id, 60s);
    QVERIFY(e.has_value());
    QVERIFY2(e->end == TaskEnd::kOomKilled, qPrintable(describe(*e)));
    QVERIFY2(absl::StrContains(e->message, "32 MB"), e->message.c_str());
  }

  // Pooled cgroups: each task runs under its own limits whatever the previous task in the same
  // cgroup had, and is held to them in a reused cgroup; a pooled cgroup removed meanwhile is
  // created again with the limits.
  void pooledCgroupsKeepEachTasksLimits() {
    if (std::optional<QString> why = cgroupsUnavailableReason()) {
      QSKIP(qPrintable("needs a memory cgroup: " + *why));
    }
    // Prints the task's memory cgroup and its limit (v1 hierarchy, or the v2 unified one).
    const std::string show =
        "p=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup); "
        "if [ -n \"$p\" ]; then echo \"$p $(cat /sys/fs/cgroup/memory$p/memory.limit_in_bytes)\"; "
        "else p=$(awk -F: '$1 == \"0\" {print $3}' /proc/self/cgroup); "
        "echo \"$p $(cat /sys/fs/cgroup$p/memory.max)\"; fi";
    auto run = [&](const std::string& name, uint64_t mem_mb, const std::string& command) {
      const std::string id = newId(name);
      ProcessTaskSpec s = shellTask(id, command);
      s.mem_bytes = mem_mb << 20;
      s.cpus = 0.25;
      if (!c_->launch(s).ok()) return std::make_pair(std::optional<TaskExit>(), QByteArray());
      std::optional<TaskExit> e = waitForExit(*c_, id, 60s);
      return std::make_pair(e, readFile(sandboxFile(id, "stdout")).trimmed());
    };
    auto limitOf = [](const QByteArray& line) { return line.mid(line.indexOf(' ') + 1); };
    auto cgroupOf = [](const QByteArray& line) { return line.left(line.indexOf(' ')); };

    auto [e1, out1] = run("lim32", 32, show);
    QVERIFY(e1.has_value() && e1->end == TaskEnd::kExited);
    QCOMPARE(limitOf(out1), QByteArray::number(32 << 20));
    auto [e2, out2] = run("lim32again", 32, show);
    QVERIFY(e2.has_value() && e2->end == TaskEnd::kExited);
    QCOMPARE(cgroupOf(out2), cgroupOf(out1));  // the same pooled cgroup, reused
    QCOMPARE(limitOf(out2), QByteArray::number(32 << 20));
    // In the reused cgroup the memory limit holds.
    auto [e3, out3] = run("oom32", 32, "head -c 200000000 /dev/zero | tail");
    QVERIFY(e3.has_value());
    QVERIFY2(e3->end == TaskEnd::kOomKilled, qPrintable(describe(*e3)));
    auto [e4, out4] = run("lim64", 64, show);
    QVERIFY(e4.has_value() && e4->end == TaskEnd::kExited);
    QCOMPARE(limitOf(out4), QByteArray::number(64 << 20));
    // Someone removes the idle pooled cgroups: the next task with the same limits has them.
    ProcessContainerizer::removeIdleCgroups(options());
    auto [e5, out5] = run("lim64after", 64, show);
    QVERIFY(e5.has_value() && e5->end == TaskEnd::kExited);
    QCOMPARE(limitOf(out5), QByteArray::number(64 << 20));
    QCOMPARE(cgroupOf(out5), cgroupOf(out4));
  }

  void recoverReattachesAfterAgentRestart() {
    const std::string id = newId("sleep");
    QVERIFY(c_->launch(shellTask(id, "sleep 60")).ok());
    const pid_t pid = c_->running().at(0).pid;
    c_.reset();  // the agent goes away; the task must not notice
    QVERIFY(::kill(pid, 0) == 0);
    c_ = std::make_unique<ProcessContainerizer>(options());
    const std::vector<RunningTask> recovered = c_->recover();
    QCOMPARE(recovered.size(), size_t{1});
    QCOMPARE(recovered[0].task_id, id);
    QCOMPARE(recovered[0].pid, pid);
    QCOMPARE(recovered[0].framework_id, std::string("fw-test"));
    QVERIFY(c_->pollExits().empty());
    QVERIFY(c_->kill(id, 100ms).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kKilled);
  }

  // The agent is a separate process that is SIGKILLed: its supervisors are no longer our children.
  void tasksSurviveAgentKillAndReportTrueExitCodes() {
    const std::string running_id = newId("alive");
    const std::string ending_id = newId("ending");
    const pid_t agent = ::fork();
    QVERIFY(agent >= 0);
    if (agent == 0) {
      ProcessContainerizer c(options());
      const bool ok = c.launch(shellTask(running_id, "sleep 60")).ok() &&
                      c.launch(shellTask(ending_id, "sleep 0.2; exit 7")).ok();
      if (!ok) ::_exit(1);
      ::raise(SIGKILL);
    }
    int status = 0;
    QCOMPARE(::waitpid(agent, &status, 0), agent);
    QVERIFY2(WIFSIGNALED(status), "the fake agent failed to launch its tasks");
    QThread::msleep(700);  // the second task ends while no agent runs

    const std::vector<RunningTask> recovered = c_->recover();
    QCOMPARE(recovered.size(), size_t{1});
    QCOMPARE(recovered[0].task_id, running_id);
    std::optional<TaskExit> e = waitForExit(*c_, ending_id, 5s);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kExited);
    QCOMPARE(e->exit_code, 7);

    QVERIFY(c_->kill(running_id, 100ms).ok());
    e = waitForExit(*c_, running_id);
    QVERIFY(e.has_value());
    QCOMPARE(e->end, TaskEnd::kKilled);

    // Reported once, also across another restart.
    c_ = std::make_unique<ProcessContainerizer>(options());
    QVERIFY(c_->recover().empty());
    QVERIFY(c_->pollExits().empty());
  }

  void supervisorDeathIsReportedLost() {
    const std::string id = newId("lost");
    QVERIFY(c_->launch(shellTask(id, "sleep 60")).ok());
    const pid_t task = c_->running().at(0).pid;
    const pid_t supervisor = parentOf(task);
    QVERIFY(supervisor > 1 && supervisor != getpid());
    QCOMPARE(::kill(supervisor, SIGKILL), 0);
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QVERIFY2(e->end == TaskEnd::kLost, qPrintable(describe(*e)));
    QVERIFY2(processesOfTasks(id).empty(), "the lost task's process was left running");
  }

  void manyQuickTasksAreEachReportedOnce() {
    constexpr int kTasks = 200;
    std::set<std::string> ids;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < kTasks; ++i) {
      const std::string id = newId("true");
      ids.insert(id);
      absl::Status st = c_->launch(shellTask(id, "true"));
      QVERIFY2(st.ok(), std::string(st.message()).c_str());
      if (i % 20 == 0) poll(*c_);
    }
    const qint64 launch_ms = t.elapsed();
    while (report_counts_.size() < ids.size() && t.elapsed() < 60000) {
      poll(*c_);
      QThread::msleep(2);
    }
    qInfo("launched %d tasks in %lld ms (%.0f/s); all reported after %lld ms", kTasks, launch_ms,
          kTasks * 1000.0 / std::max<qint64>(1, launch_ms), t.elapsed());
    QCOMPARE(report_counts_.size(), ids.size());
    for (const auto& [id, count] : report_counts_) {
      QVERIFY(ids.count(id) == 1);
      QCOMPARE(count, 1);
      QVERIFY2(exits_[id].end == TaskEnd::kExited && exits_[id].exit_code == 0,
               qPrintable(describe(exits_[id])));
    }
    QVERIFY(c_->pollExits().empty());
    c_ = std::make_unique<ProcessContainerizer>(options());
    QVERIFY(c_->recover().empty());
    QVERIFY(c_->pollExits().empty());
  }

  void sameIdCanRunAgainAfterItsEndWasReported() {
    const std::string id = newId("again");
    QVERIFY(c_->launch(shellTask(id, "sleep 60")).ok());
    absl::Status dup = c_->launch(shellTask(id, "true"));
    QCOMPARE(dup.code(), absl::StatusCode::kAlreadyExists);
    QVERIFY(c_->kill(id, 0ms).ok());
    QVERIFY(waitForExit(*c_, id).has_value());
    exits_.clear();
    QVERIFY(c_->launch(shellTask(id, "exit 4")).ok());
    std::optional<TaskExit> e = waitForExit(*c_, id);
    QVERIFY(e.has_value());
    QCOMPARE(e->exit_code, 4);
  }

  void killOfUnknownTaskIsNotFound() {
    QCOMPARE(c_->kill("no-such-task", 0ms).code(), absl::StatusCode::kNotFound);
    QCOMPARE(c_->sandboxPath("no-such-task").status().code(), absl::StatusCode::kNotFound);
  }

  void invalidInputIsRejected_data() {
    QTest::addColumn<QString>("taskId");
    QTest::addColumn<bool>("shell");
    QTest::addColumn<QString>("command");
    QTest::addColumn<double>("cpus");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty id") << "" << true << "true" << 0.0 << "empty";
    QTest::newRow("slash") << "a/b" << true << "true" << 0.0 << "'/'";
    QTest::newRow("dot dot") << ".." << true << "true" << 0.0 << "start with";
    QTest::newRow("inner dot dot") << "a..b" << true << "true" << 0.0 << "'..'";
    QTest::newRow("hidden") << ".x" << true << "true" << 0.0 << "start with";
    QTest::newRow("space") << "a b" << true << "true" << 0.0 << "' '";
    QTest::newRow("newline") << "a\nb" << true << "true" << 0.0 << "control character";
    QTest::newRow("too long") << QString(200, 'x') << true << "true" << 0.0 << "limit is 128";
    QTest::newRow("empty command") << "ok" << true << "" << 0.0 << "command is empty";
    QTest::newRow("blank command") << "ok" << true << "  \t" << 0.0 << "command is empty";
    QTest::newRow("empty argv") << "ok" << false << "" << 0.0 << "argv is empty";
    QTest::newRow("negative cpus") << "ok" << true << "true" << -1.0 << "cpus";
  }

  void invalidInputIsRejected() {
    QFETCH(QString, taskId);
    QFETCH(bool, shell);
    QFETCH(QString, command);
    QFETCH(double, cpus);
    QFETCH(QString, expected);
    ProcessTaskSpec s;
    s.task_id = taskId.toStdString();
    s.shell = shell;
    if (shell) s.command = command.toStdString();
    s.cpus = cpus;
    absl::Status st = c_->launch(s);
    QCOMPARE(st.code(), absl::StatusCode::kInvalidArgument);
    QVERIFY2(absl::StrContains(st.message(), expected.toStdString()),
             std::string(st.message()).c_str());
    QVERIFY(c_->running().empty());
  }
};

QTEST_APPLESS_MAIN(ProcessContainerizerTest)
#include "process_containerizer_test.moc"
