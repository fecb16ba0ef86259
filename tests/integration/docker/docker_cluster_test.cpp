// Docker tasks through a real orch-master and orch-agent (mTLS gRPC, the real
// client library) on a real dockerd with a locally imported busybox image: exit
// codes, logs through the agent's files service, kills within the grace period,
// OOM kills, a missing image, an agent restart that leaves the container
// running, and an agent whose dockerd is unreachable.
#include <stdlib.h>
#include <unistd.h>

#include <QtTest>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/containerizer/docker_client.h"
#include "agent/containerizer/docker_containerizer.h"
#include "client/agent_files_client.h"
#include "client/operator_client.h"
#include "docker_daemon.h"
#include "local_cluster.h"
#include "test_framework.h"

namespace v1 = orchestrator::v1;
using orch::agent::DockerClient;
using orch::agent::DockerContainerizer;
using orch::testing::DockerDaemon;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;

namespace {

const char *msg(const absl::Status &s) {
  static thread_local std::string text;
  text = s.ToString();
  return text.c_str();
}

v1::TaskInfo dockerTask(const std::string &id, const std::string &command,
                        double mem = 64, double grace_seconds = 3,
                        const std::string &image = DockerDaemon::kTestImage) {
  v1::TaskInfo task =
      TestFramework::shellTask(id, command, 0.1, mem, grace_seconds);
  task.mutable_container()->set_type(v1::ContainerInfo::DOCKER);
  task.mutable_container()->mutable_docker()->set_image(image);
  return task;
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

} // namespace

class DockerClusterTest : public QObject {
  Q_OBJECT

private:
  DockerDaemon daemon_;
  LocalCluster cluster_;
  std::unique_ptr<DockerClient> docker_;
  std::unique_ptr<orch::client::OperatorClient> operator_;

  // What `orchctl logs TASK` prints: the master names the agent, the agent
  // serves the file.
  std::string logsOf(const std::string &task_id,
                     orch::client::LogStream stream) {
    v1::GetTasksRequest request;
    request.set_task_id(task_id);
    auto tasks = operator_->getTasks(request);
    if (!tasks.ok())
      return "<getTasks: " + tasks.status().ToString() + ">";
    std::string endpoint;
    for (const auto &t : tasks->tasks()) {
      if (t.task_info().task_id() == task_id)
        endpoint = t.agent_endpoint();
    }
    for (const auto &t : tasks->completed_tasks()) {
      if (t.task_info().task_id() == task_id)
        endpoint = t.agent_endpoint();
    }
    auto files =
        orch::client::AgentFilesClient::create(cluster_.operatorConfig().tls);
    if (!files.ok())
      return "<files client: " + files.status().ToString() + ">";
    std::string text;
    absl::Status read = (*files)->readLog(endpoint, task_id, stream, false,
                                          [&](const v1::LogChunk &c) {
                                            text += c.data();
                                            return true;
                                          });
    if (!read.ok())
      return "<readLog: " + read.ToString() + ">";
    return text;
  }

  bool containerRunning(const std::string &framework_id,
                        const std::string &task_id) {
    auto state = docker_->inspectContainer(
        DockerContainerizer::containerName(framework_id, task_id));
    return state.ok() && state->running;
  }

  void removeClusterContainers(const std::string &dir) {
    if (!docker_ || dir.empty())
      return;
    auto all = docker_->listContainers({DockerContainerizer::kAgentLabel});
    if (!all.ok())
      return;
    for (const auto &c : *all) {
      auto it = c.labels.find(DockerContainerizer::kAgentLabel);
      if (it != c.labels.end() && absl::StartsWith(it->second, dir)) {
        docker_->removeContainer(c.id, true).IgnoreError();
      }
    }
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
    docker_ = std::make_unique<DockerClient>(daemon_.socketPath());
    // The agent finds the daemon through DOCKER_HOST, which the fixture
    // exported.
    LocalCluster::Options options;
    options.agents = 1;
    options.cgroups = geteuid() == 0;
    absl::Status up = cluster_.start(options);
    QVERIFY2(up.ok(), msg(up));
    auto client =
        orch::client::OperatorClient::create(cluster_.operatorConfig());
    QVERIFY2(client.ok(), msg(client.status()));
    operator_ = *std::move(client);
  }

  void cleanupTestCase() {
    operator_.reset();
    const std::string dir = cluster_.dir();
    cluster_.stop(); // SIGKILLs the agent: its containers stay with dockerd
    removeClusterContainers(dir);
    daemon_.stop();
  }

  void dockerTasksFinishWithTheirExitCodes() {
    TestFramework framework(cluster_.frameworkConfig(), "docker-exit");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(
        framework
            .launch({dockerTask("hello",
                                "echo hello-from-docker; echo to-stderr >&2"),
                     dockerTask("fails", "echo about-to-fail; exit 3")})
            .ok());
    QVERIFY(framework.waitForState("hello", v1::TASK_RUNNING).has_value());
    auto hello = framework.waitForTerminal("hello", 60);
    QVERIFY(hello.has_value());
    QCOMPARE(hello->state(), v1::TASK_FINISHED);
    QVERIFY(hello->has_exit_code());
    QCOMPARE(hello->exit_code(), 0);
    auto fails = framework.waitForTerminal("fails", 60);
    QVERIFY(fails.has_value());
    QCOMPARE(fails->state(), v1::TASK_FAILED);
    QCOMPARE(fails->reason(), v1::TaskStatus::REASON_COMMAND_EXITED);
    QCOMPARE(fails->exit_code(), 3);
    // The output, as `orchctl logs` shows it.
    QCOMPARE(logsOf("hello", orch::client::LogStream::kStdout),
             std::string("hello-from-docker\n"));
    QCOMPARE(logsOf("hello", orch::client::LogStream::kStderr),
             std::string("to-stderr\n"));
    QCOMPARE(logsOf("fails", orch::client::LogStream::kStdout),
             std::string("about-to-fail\n"));
  }

  void killEndsADockerTaskWithinItsGrace() {
    TestFramework framework(cluster_.frameworkConfig(), "docker-kill");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(
        framework
            .launch({dockerTask("polite", "sleep 300", 64, 5),
                     dockerTask("stubborn",
                                "trap '' TERM; while true; do sleep 1; done",
                                64, 1)})
            .ok());
    QVERIFY(framework.waitForState("polite", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("stubborn", v1::TASK_RUNNING).has_value());
    QVERIFY(containerRunning(framework.frameworkId(), "polite"));

    auto started = std::chrono::steady_clock::now();
    QVERIFY(framework.session().kill("polite", "").ok());
    auto end = framework.waitForTerminal("polite", 15);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_KILLED);
    QCOMPARE(end->reason(), v1::TaskStatus::REASON_KILLED_BY_REQUEST);
    QVERIFY2(since(started) < 4.0,
             std::to_string(since(started)).c_str()); // SIGTERM sufficed

    started = std::chrono::steady_clock::now();
    QVERIFY(framework.session().kill("stubborn", "").ok());
    end = framework.waitForTerminal("stubborn", 15);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_KILLED);
    const double took = since(started);
    QVERIFY2(took >= 0.9 && took < 5.0,
             std::to_string(took).c_str()); // SIGKILL after 1 s
    QTRY_VERIFY_WITH_TIMEOUT(
        !containerRunning(framework.frameworkId(), "stubborn"), 5000);
  }

  void memoryOverrunIsReportedAsOom() {
    TestFramework framework(cluster_.frameworkConfig(), "docker-oom");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework
                .launch({dockerTask(
                    "hog", "dd if=/dev/zero of=/dev/null bs=128M count=1", 32)})
                .ok());
    auto end = framework.waitForTerminal("hog", 60);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_FAILED);
    QCOMPARE(end->reason(), v1::TaskStatus::REASON_CONTAINER_LIMITATION_MEMORY);
    QVERIFY2(absl::StrContains(end->message(), "Memory limit exceeded"),
             end->message().c_str());
    QVERIFY2(absl::StrContains(end->message(), "32 MB"),
             end->message().c_str());
  }

  void missingImageFailsTheLaunch() {
    TestFramework framework(cluster_.frameworkConfig(), "docker-noimage");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework
                .launch({dockerTask("noimage", "true", 64, 3,
                                    "orch-test/busybox:2")})
                .ok());
    auto end = framework.waitForTerminal("noimage", 30);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_FAILED);
    QCOMPARE(end->reason(), v1::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
    QVERIFY2(
        absl::StrContains(end->message(),
                          "image orch-test/busybox:2 not found on this agent"),
        end->message().c_str());
  }

  void containersSurviveAnAgentRestart() {
    TestFramework framework(cluster_.frameworkConfig(), "docker-restart");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(
        framework
            .launch({dockerTask("survivor", "echo before; sleep 5; echo after"),
                     dockerTask("ends-while-down", "sleep 1; exit 9")})
            .ok());
    QVERIFY(framework.waitForState("survivor", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("ends-while-down", v1::TASK_RUNNING)
                .has_value());

    cluster_.killAgent(0);
    QTest::qWait(1500); // "ends-while-down" exits while its agent is gone...
    QVERIFY(containerRunning(framework.frameworkId(),
                             "survivor")); // ..."survivor" runs on
    QVERIFY(cluster_.startAgent(0).ok());
    QVERIFY(cluster_.waitForAgents(1).ok());

    auto down = framework.waitForTerminal("ends-while-down", 30);
    QVERIFY(down.has_value());
    QCOMPARE(down->state(), v1::TASK_FAILED);
    QCOMPARE(down->exit_code(), 9);
    auto survivor = framework.waitForTerminal("survivor", 30);
    QVERIFY(survivor.has_value());
    QCOMPARE(survivor->state(), v1::TASK_FINISHED);
    QCOMPARE(survivor->exit_code(), 0);
    for (const auto &u : framework.updates("survivor")) {
      QVERIFY2(u.state() != v1::TASK_LOST, u.message().c_str());
    }
    QCOMPARE(logsOf("survivor", orch::client::LogStream::kStdout),
             std::string("before\nafter\n"));
  }

  void unreachableDockerFailsOnlyDockerTasks() {
    // A second cluster whose agent is pointed at a socket where no dockerd
    // listens.
    const char *saved = getenv("DOCKER_HOST");
    const std::string restore = saved ? saved : "";
    setenv("DOCKER_HOST", "unix:///tmp/orch-no-such-docker.sock", 1);
    LocalCluster other;
    LocalCluster::Options options;
    options.agents = 1;
    options.cgroups = geteuid() == 0;
    absl::Status up = other.start(options);
    setenv("DOCKER_HOST", restore.c_str(), 1);
    QVERIFY2(up.ok(), msg(up));

    TestFramework framework(other.frameworkConfig(), "no-docker");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework
                .launch({dockerTask("in-docker", "true"),
                         TestFramework::shellTask("plain", "echo plain")})
                .ok());
    auto docker_end = framework.waitForTerminal("in-docker", 30);
    QVERIFY(docker_end.has_value());
    QCOMPARE(docker_end->state(), v1::TASK_FAILED);
    QCOMPARE(docker_end->reason(),
             v1::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
    QVERIFY2(absl::StrContains(docker_end->message(),
                               "Docker is unavailable on this agent"),
             docker_end->message().c_str());
    QVERIFY2(absl::StrContains(docker_end->message(),
                               "/tmp/orch-no-such-docker.sock"),
             docker_end->message().c_str());
    auto plain_end = framework.waitForTerminal("plain", 30);
    QVERIFY(plain_end.has_value());
    QCOMPARE(plain_end->state(), v1::TASK_FINISHED);
    other.stop();
  }
};

QTEST_APPLESS_MAIN(DockerClusterTest)
#include "docker_cluster_test.moc"
