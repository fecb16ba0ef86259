// The Docker containerizer against a real dockerd: exit codes, logs in the
// sandbox, kills within the grace period, OOM kills, errors that name the
// image, and re-attaching after a restart.
#include <unistd.h>

#include <QtTest>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/containerizer/docker_containerizer.h"
#include "docker_daemon.h"

using orch::agent::DockerClient;
using orch::agent::DockerContainerizer;
using orch::agent::DockerContainerizerOptions;
using orch::agent::DockerTaskSpec;
using orch::agent::TaskEnd;
using orch::agent::TaskExit;
using orch::testing::DockerDaemon;
namespace fs = std::filesystem;

namespace {

const char *msg(const absl::Status &s) {
  static thread_local std::string text;
  text = s.ToString();
  return text.c_str();
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

} // namespace

class DockerContainerizerTest : public QObject {
  Q_OBJECT

private:
  DockerDaemon daemon_;
  std::string work_dir_;
  std::unique_ptr<DockerClient> client_;
  std::string framework_ = absl::StrCat("fw-", getpid());

  DockerContainerizerOptions options(const std::string &work_dir = "") const {
    DockerContainerizerOptions o;
    o.work_dir = work_dir.empty() ? work_dir_ : work_dir;
    o.socket_path = daemon_.socketPath();
    o.log_max_bytes = 1 << 20;
    o.log_keep_files = 1;
    return o;
  }

  DockerTaskSpec task(const std::string &id, const std::string &command,
                      double mem_mb = 64, int grace_ms = 3000) const {
    DockerTaskSpec spec;
    spec.image = DockerDaemon::kTestImage;
    spec.task.task_id = id;
    spec.task.framework_id = framework_;
    spec.task.shell = true;
    spec.task.command = command;
    spec.task.cpus = 0.5;
    spec.task.mem_bytes = static_cast<uint64_t>(mem_mb * (1 << 20));
    spec.task.kill_grace = std::chrono::milliseconds(grace_ms);
    return spec;
  }

  static std::optional<TaskExit>
  waitExit(DockerContainerizer &c, const std::string &id, double seconds = 30) {
    auto start = std::chrono::steady_clock::now();
    while (since(start) < seconds) {
      for (TaskExit &e : c.pollExits()) {
        if (e.task_id == id)
          return e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  bool containerRunning(const std::string &id) const {
    auto state = client_->inspectContainer(
        DockerContainerizer::containerName(framework_, id));
    return state.ok() && state->running;
  }

private slots:
  void initTestCase() {
    absl::Status started = daemon_.start();
    if (absl::IsFailedPrecondition(started)) {
      QSKIP(
          absl::StrCat("Docker cannot run here: ", started.message()).c_str());
    }
    QVERIFY2(started.ok(), msg(started));
    absl::Status image = daemon_.ensureBusyboxImage();
    QVERIFY2(image.ok(), msg(image));
    client_ = std::make_unique<DockerClient>(daemon_.socketPath());
    char tmpl[] = "/tmp/orch-dkc-XXXXXX";
    QVERIFY(mkdtemp(tmpl) != nullptr);
    work_dir_ = tmpl;
  }

  void cleanupTestCase() {
    if (client_) {
      auto mine = client_->listContainers({absl::StrCat(
          DockerContainerizer::kFrameworkLabel, "=", framework_)});
      if (mine.ok()) {
        for (const auto &c : *mine)
          client_->removeContainer(c.id, true).IgnoreError();
      }
    }
    daemon_.stop();
    std::error_code ec;
    if (!work_dir_.empty())
      fs::remove_all(work_dir_, ec);
  }

  void containerNamesAreDockerSafe_data() {
    QTest::addColumn<QString>("framework");
    QTest::addColumn<QString>("task");
    QTest::addColumn<QString>("name");
    QTest::newRow("plain") << "fw1"
                           << "t1"
                           << "orch-fw1-t1";
    QTest::newRow("odd framework chars") << "a/b:c d"
                                         << "web.1"
                                         << "orch-a_b_c_d-web.1";
    QTest::newRow("empty framework") << ""
                                     << "x"
                                     << "orch--x";
  }
  void containerNamesAreDockerSafe() {
    QFETCH(QString, framework);
    QFETCH(QString, task);
    QFETCH(QString, name);
    QCOMPARE(QString::fromStdString(DockerContainerizer::containerName(
                 framework.toStdString(), task.toStdString())),
             name);
  }

  void reportsTheExitCodeAndKeepsTheOutput() {
    DockerContainerizer c(options());
    QVERIFY2(c.available().ok(), msg(c.available()));
    auto spec = task("exit7", "echo \"hello from $ORCH_TASK_ID in "
                              "$ORCH_SANDBOX\"; echo oops >&2; exit 7");
    spec.task.environment["ORCH_TASK_ID"] = "exit7";
    absl::Status launched = c.launch(spec);
    QVERIFY2(launched.ok(), msg(launched));
    QVERIFY(c.knows("exit7"));
    auto exit = waitExit(c, "exit7");
    QVERIFY(exit.has_value());
    QCOMPARE(exit->end, TaskEnd::kExited);
    QCOMPARE(exit->exit_code, 7);
    QCOMPARE(exit->framework_id, framework_);
    QVERIFY(!c.knows("exit7"));
    const std::string sandbox = work_dir_ + "/sandboxes/exit7";
    QCOMPARE(readFile(sandbox + "/stdout"),
             std::string("hello from exit7 in /mnt/sandbox\n"));
    QCOMPARE(readFile(sandbox + "/stderr"), std::string("oops\n"));
    // The ended container is removed once its end was handed out.
    QTRY_VERIFY_WITH_TIMEOUT(
        absl::IsNotFound(
            client_
                ->inspectContainer(
                    DockerContainerizer::containerName(framework_, "exit7"))
                .status()),
        5000);
  }

  void runsAnArgvCommandAndSeesTheSandbox() {
    DockerContainerizer c(options());
    auto spec = task("argv", "");
    spec.task.shell = false;
    spec.task.argv = {"/bin/sh", "-c",
                      "echo written > /mnt/sandbox/result.txt; echo \"$0 $1\"",
                      "x", "y"};
    QVERIFY2(c.launch(spec).ok(), "launch");
    auto exit = waitExit(c, "argv");
    QVERIFY(exit.has_value());
    QCOMPARE(exit->end, TaskEnd::kExited);
    QCOMPARE(exit->exit_code, 0);
    QCOMPARE(readFile(work_dir_ + "/sandboxes/argv/result.txt"),
             std::string("written\n"));
    QCOMPARE(readFile(work_dir_ + "/sandboxes/argv/stdout"),
             std::string("x y\n"));
  }

  void killEndsTheTaskWithinTheGrace() {
    DockerContainerizer c(options());
    QVERIFY(c.launch(task("polite", "sleep 60", 64, 5000)).ok());
    QVERIFY(
        c.launch(task("stubborn", "trap '' TERM; while true; do sleep 1; done",
                      64, 1000))
            .ok());
    QCOMPARE(c.running().size(), size_t{2});
    auto start = std::chrono::steady_clock::now();
    QVERIFY(c.kill("polite", std::chrono::milliseconds(5000)).ok());
    QVERIFY(c.kill("stubborn", std::chrono::milliseconds(1000)).ok());
    std::map<std::string, TaskExit> ends;
    std::map<std::string, double> when;
    while (ends.size() < 2 && since(start) < 20) {
      for (TaskExit &e : c.pollExits()) {
        when[e.task_id] = since(start);
        ends[e.task_id] = e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    QCOMPARE(ends.size(), size_t{2});
    QCOMPARE(ends["polite"].end, TaskEnd::kKilled);
    QCOMPARE(ends["stubborn"].end, TaskEnd::kKilled);
    // SIGTERM is enough for the polite one (docker-init forwards it to the
    // shell)...
    QVERIFY2(when["polite"] < 4.0, std::to_string(when["polite"]).c_str());
    // ...the stubborn one ignores it and is SIGKILLed once its 1 s grace is
    // over.
    QVERIFY2(when["stubborn"] >= 0.9 && when["stubborn"] < 5.0,
             std::to_string(when["stubborn"]).c_str());
    QCOMPARE(ends["stubborn"].exit_code, 137);
    QVERIFY(absl::IsNotFound(c.kill("polite", std::chrono::milliseconds(0))));
  }

  void memoryOverrunIsAnOomKill() {
    DockerContainerizer c(options());
    QVERIFY(
        c.launch(
             task("hog",
                  "echo start; dd if=/dev/zero of=/dev/null bs=128M count=1",
                  32))
            .ok());
    auto exit = waitExit(c, "hog");
    QVERIFY(exit.has_value());
    QCOMPARE(exit->end, TaskEnd::kOomKilled);
    QVERIFY2(absl::StrContains(exit->message, "Memory limit exceeded"),
             exit->message.c_str());
    QVERIFY2(absl::StrContains(exit->message, "32 MB"), exit->message.c_str());
    QCOMPARE(exit->exit_code, 137);
  }

  void badLaunchesAreClearErrors() {
    DockerContainerizer c(options());
    auto missing = task("noimage", "true");
    missing.image = "orch-test/busybox:2";
    absl::Status s = c.launch(missing);
    QVERIFY(absl::IsNotFound(s));
    QVERIFY2(
        absl::StrContains(s.message(),
                          "image orch-test/busybox:2 not found on this agent"),
        msg(s));

    auto pull = task("pull", "true");
    pull.image = "orch-test/busybox:2";
    pull.force_pull_image = true;
    s = c.launch(pull);
    QVERIFY(!s.ok());
    QVERIFY2(
        absl::StrContains(s.message(), "pulling image orch-test/busybox:2"),
        msg(s));

    auto tiny = task("tiny", "true", 1);
    s = c.launch(tiny);
    QVERIFY(absl::IsInvalidArgument(s));
    QVERIFY2(absl::StrContains(s.message(), "at least 6 MB"), msg(s));

    auto bad_id = task("../escape", "true");
    QVERIFY(absl::IsInvalidArgument(c.launch(bad_id)));
    auto no_image = task("noimg", "true");
    no_image.image = "";
    QVERIFY(absl::IsInvalidArgument(c.launch(no_image)));
    QVERIFY(c.running().empty());
  }

  void unreachableDaemonMakesLaunchesFail() {
    auto o = options();
    o.socket_path = "/tmp/orch-no-such-docker.sock";
    DockerContainerizer c(o);
    QVERIFY(absl::IsUnavailable(c.available()));
    absl::Status s = c.launch(task("nodaemon", "true"));
    QVERIFY(absl::IsUnavailable(s));
    QVERIFY2(
        absl::StartsWith(s.message(), "Docker is unavailable on this agent"),
        msg(s));
    QVERIFY(c.recover().empty());
  }

  void restartReattachesToRunningContainers() {
    {
      DockerContainerizer before(options());
      QVERIFY(before
                  .launch(task("survivor",
                               "echo early; sleep 3; echo late; exit 4"))
                  .ok());
      QVERIFY(before.launch(task("quick", "sleep 0.5; echo quick-out; exit 9"))
                  .ok());
      QVERIFY(before.launch(task("doomed", "sleep 60", 64, 500)).ok());
      QVERIFY(before.kill("doomed", std::chrono::milliseconds(60000))
                  .ok()); // SIGTERM ignored? no: ends soon
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } // the "agent" goes away; dockerd keeps the containers
    QVERIFY(containerRunning("survivor"));
    // Let "quick" (and "doomed") end while nobody watches.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    QVERIFY(!containerRunning("quick"));

    // Another agent's containers are not this one's.
    char other[] = "/tmp/orch-dkc-other-XXXXXX";
    QVERIFY(mkdtemp(other) != nullptr);
    {
      DockerContainerizer stranger(options(other));
      QVERIFY(stranger.recover().empty());
      QVERIFY(stranger.pollExits().empty());
    }
    std::error_code ec;
    fs::remove_all(other, ec);

    DockerContainerizer after(options());
    auto running = after.recover();
    QCOMPARE(running.size(), size_t{1});
    QCOMPARE(running[0].task_id, std::string("survivor"));
    QCOMPARE(running[0].framework_id, framework_);
    QVERIFY(running[0].pid > 0);
    // The ones that ended while it was down are reported at once, as they
    // ended.
    std::map<std::string, TaskExit> ended;
    for (TaskExit &e : after.pollExits())
      ended[e.task_id] = e;
    QCOMPARE(ended.size(), size_t{2});
    QCOMPARE(ended["quick"].end, TaskEnd::kExited);
    QCOMPARE(ended["quick"].exit_code, 9);
    QCOMPARE(ended["doomed"].end, TaskEnd::kKilled);
    QCOMPARE(readFile(work_dir_ + "/sandboxes/quick/stdout"),
             std::string("quick-out\n"));

    auto exit = waitExit(after, "survivor");
    QVERIFY(exit.has_value());
    QCOMPARE(exit->end, TaskEnd::kExited);
    QCOMPARE(exit->exit_code, 4);
    QCOMPARE(readFile(work_dir_ + "/sandboxes/survivor/stdout"),
             std::string("early\nlate\n"));
  }
};

QTEST_APPLESS_MAIN(DockerContainerizerTest)
#include "docker_containerizer_test.moc"
