// The Docker Engine API client against a real dockerd and a locally imported
// busybox image.
#include <unistd.h>

#include <QtTest>
#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/containerizer/docker_client.h"
#include "docker_daemon.h"

using orch::agent::DockerClient;
using orch::agent::DockerContainerSpec;
using orch::agent::DockerStreamDemuxer;
using orch::agent::HttpCancel;
using orch::testing::DockerDaemon;

namespace {

const char *msg(const absl::Status &s) {
  static thread_local std::string text;
  text = s.ToString();
  return text.c_str();
}

} // namespace

class DockerClientTest : public QObject {
  Q_OBJECT

private:
  DockerDaemon daemon_;
  std::unique_ptr<DockerClient> client_;
  std::string prefix_ = absl::StrCat("orch-client-test-", getpid(), "-");
  std::vector<std::string> created_;

  DockerContainerSpec spec(const std::string &name,
                           const std::string &command) {
    DockerContainerSpec s;
    s.name = prefix_ + name;
    s.image = DockerDaemon::kTestImage;
    s.entrypoint = {"/bin/sh", "-c"};
    s.cmd = {command};
    s.labels = {{"orch.test", prefix_}, {"orch.case", name}};
    created_.push_back(s.name);
    return s;
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
  }

  void cleanupTestCase() {
    if (client_) {
      for (const auto &name : created_)
        client_->removeContainer(name, true).IgnoreError();
    }
    daemon_.stop();
  }

  void pingsAndReadsTheVersion() {
    absl::Status ping = client_->ping();
    QVERIFY2(ping.ok(), msg(ping));
    auto version = client_->version();
    QVERIFY2(version.ok(), msg(version.status()));
    QVERIFY(!version->version.empty());
    QVERIFY(!version->api_version.empty());
  }

  void unreachableDaemonIsAClearError() {
    DockerClient nowhere("/tmp/orch-no-such-docker.sock");
    absl::Status ping = nowhere.ping();
    QVERIFY(absl::IsUnavailable(ping));
    QVERIFY2(absl::StrContains(ping.message(), "/tmp/orch-no-such-docker.sock"),
             msg(ping));
    QVERIFY2(absl::StrContains(ping.message(), "unreachable"), msg(ping));
    auto created = nowhere.createContainer(spec("nowhere", "true"));
    QVERIFY(absl::IsUnavailable(created.status()));
    QVERIFY2(absl::StrContains(created.status().message(), prefix_ + "nowhere"),
             msg(created.status()));
  }

  void inspectsImages() {
    auto image = client_->inspectImage(DockerDaemon::kTestImage);
    QVERIFY2(image.ok(), msg(image.status()));
    QVERIFY(!image->id.empty());
    QVERIFY(std::find(image->tags.begin(), image->tags.end(),
                      DockerDaemon::kTestImage) != image->tags.end());
    auto missing = client_->inspectImage("orch-test/busybox:2");
    QVERIFY(absl::IsNotFound(missing.status()));
    QCOMPARE(std::string(missing.status().message()),
             std::string("image orch-test/busybox:2 not found on this agent"));
  }

  void pullWithoutARegistryFailsClearly() {
    absl::Status pulled = client_->pullImage("orch-test/busybox:2");
    QVERIFY(!pulled.ok());
    QVERIFY2(absl::StrContains(pulled.message(),
                               "pulling image orch-test/busybox:2"),
             msg(pulled));
  }

  void runsAContainerToItsExitCode() {
    auto s = spec("exit3", "echo out-line; echo err-line >&2; exit 3");
    s.env = {{"GREETING", "hi"}};
    s.memory_bytes = 64 << 20;
    s.cpu_shares = 512;
    s.nano_cpus = 500000000;
    s.log_max_bytes = 1 << 20;
    s.log_max_files = 2;
    auto id = client_->createContainer(s);
    QVERIFY2(id.ok(), msg(id.status()));
    auto created = client_->inspectContainer(*id);
    QVERIFY2(created.ok(), msg(created.status()));
    QCOMPARE(created->status, std::string("created"));
    QCOMPARE(created->name, s.name);
    QCOMPARE(created->labels.at("orch.case"), std::string("exit3"));
    QCOMPARE(created->memory_limit, int64_t{64 << 20});

    QVERIFY2(client_->startContainer(*id).ok(), "start");
    HttpCancel never;
    auto code = client_->waitContainer(*id, &never);
    QVERIFY2(code.ok(), msg(code.status()));
    QCOMPARE(*code, 3);
    auto ended = client_->inspectContainer(s.name); // by name too
    QVERIFY2(ended.ok(), msg(ended.status()));
    QVERIFY(!ended->running);
    QCOMPARE(ended->status, std::string("exited"));
    QCOMPARE(ended->exit_code, 3);
    QVERIFY(!ended->oom_killed);

    auto logs = client_->logs(*id);
    QVERIFY2(logs.ok(), msg(logs.status()));
    QCOMPARE(logs->out, std::string("out-line\n"));
    QCOMPARE(logs->err, std::string("err-line\n"));

    auto listed =
        client_->listContainers({"orch.test=" + prefix_, "orch.case=exit3"});
    QVERIFY2(listed.ok(), msg(listed.status()));
    QCOMPARE(listed->size(), size_t{1});
    QCOMPARE((*listed)[0].id, *id);
    QCOMPARE((*listed)[0].state, std::string("exited"));
    QCOMPARE((*listed)[0].name, s.name);

    QVERIFY(client_->removeContainer(*id).ok());
    QVERIFY(absl::IsNotFound(client_->inspectContainer(*id).status()));
    QVERIFY(client_->removeContainer(*id).ok()); // gone already: fine
  }

  void environmentReachesTheContainer() {
    auto s = spec("env", "echo \"$GREETING $OTHER\"");
    s.env = {{"GREETING", "hello"}, {"OTHER", "a b=c"}};
    auto id = client_->createContainer(s);
    QVERIFY2(id.ok(), msg(id.status()));
    QVERIFY(client_->startContainer(*id).ok());
    HttpCancel never;
    QCOMPARE(*client_->waitContainer(*id, &never), 0);
    QCOMPARE(client_->logs(*id)->out, std::string("hello a b=c\n"));
    client_->removeContainer(*id).IgnoreError();
  }

  void nameCollisionIsRefused() {
    auto s = spec("twice", "true");
    auto first = client_->createContainer(s);
    QVERIFY2(first.ok(), msg(first.status()));
    auto second = client_->createContainer(s);
    QVERIFY(absl::IsAlreadyExists(second.status()));
    QVERIFY2(absl::StrContains(second.status().message(), s.name),
             msg(second.status()));
    client_->removeContainer(*first).IgnoreError();
  }

  void missingImageNamesIt() {
    auto s = spec("noimage", "true");
    s.image = "orch-test/busybox:2";
    auto id = client_->createContainer(s);
    QVERIFY(absl::IsNotFound(id.status()));
    QVERIFY2(absl::StrContains(id.status().message(), "orch-test/busybox:2"),
             msg(id.status()));
  }

  void stopSendsTermThenKill() {
    auto s = spec("stubborn", "trap '' TERM; while true; do sleep 1; done");
    s.init = true;
    auto id = client_->createContainer(s);
    QVERIFY2(id.ok(), msg(id.status()));
    QVERIFY(client_->startContainer(*id).ok());
    auto start = std::chrono::steady_clock::now();
    absl::Status stopped = client_->stopContainer(*id, 1);
    QVERIFY2(stopped.ok(), msg(stopped));
    double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    QVERIFY2(took >= 0.9 && took < 10, std::to_string(took).c_str());
    auto state = client_->inspectContainer(*id);
    QVERIFY(!state->running);
    QCOMPARE(state->exit_code, 137);
    // Not running any more: a signal is refused, stop is a no-op.
    QVERIFY(absl::IsFailedPrecondition(client_->killContainer(*id, "SIGTERM")));
    QVERIFY(client_->stopContainer(*id, 1).ok());
    client_->removeContainer(*id).IgnoreError();
  }

  void oomKillIsVisible() {
    // dockerd learns of an OOM kill from containerd's event, which it may handle after the exit
    // that answered the wait, and under load sometimes not at all (seen once in ~20 CI runs):
    // each run must end by SIGKILL, and dockerd's flag must reach us in one of three.
    bool seen = false;
    for (int attempt = 0; attempt < 3 && !seen; ++attempt) {
      auto s = spec("oom" + std::to_string(attempt), "dd if=/dev/zero of=/dev/null bs=64M count=1");
      s.memory_bytes = 16 << 20;
      auto id = client_->createContainer(s);
      QVERIFY2(id.ok(), msg(id.status()));
      QVERIFY(client_->startContainer(*id).ok());
      HttpCancel never;
      auto code = client_->waitContainer(*id, &never);
      QVERIFY2(code.ok(), msg(code.status()));
      QCOMPARE(*code, 137);
      for (int i = 0; i < 50 && !seen; ++i) {
        auto state = client_->inspectContainer(*id);
        seen = state.ok() && state->oom_killed;
        if (!seen) QTest::qWait(100);
      }
      client_->removeContainer(*id).IgnoreError();
    }
    QVERIFY2(seen, "dockerd never reported OOMKilled for a container killed at its memory limit");
  }

  void followsLogsUntilTheContainerStops() {
    auto s = spec("follow", "echo first; sleep 1; echo second >&2; echo third");
    auto id = client_->createContainer(s);
    QVERIFY2(id.ok(), msg(id.status()));
    QVERIFY(client_->startContainer(*id).ok());
    std::string out, err;
    HttpCancel cancel;
    absl::Status followed = client_->followLogs(
        *id,
        [&](DockerStreamDemuxer::Stream st, absl::string_view d) {
          (st == DockerStreamDemuxer::Stream::kStderr ? err : out)
              .append(d.data(), d.size());
        },
        &cancel);
    QVERIFY2(followed.ok(), msg(followed));
    QCOMPARE(out, std::string("first\nthird\n"));
    QCOMPARE(err, std::string("second\n"));
    auto state = client_->inspectContainer(*id);
    QVERIFY(!state->running);
    client_->removeContainer(*id).IgnoreError();
  }

  void cancelEndsAFollow() {
    auto s = spec("cancel", "sleep 60");
    s.init = true;
    auto id = client_->createContainer(s);
    QVERIFY2(id.ok(), msg(id.status()));
    QVERIFY(client_->startContainer(*id).ok());
    HttpCancel cancel;
    absl::Status result;
    std::thread follower([&] {
      result = client_->followLogs(
          *id, [](DockerStreamDemuxer::Stream, absl::string_view) {}, &cancel);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto start = std::chrono::steady_clock::now();
    cancel.cancel();
    follower.join();
    QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    QVERIFY2(absl::IsCancelled(result), msg(result));
    QVERIFY(client_->inspectContainer(*id)->running); // only the stream ended
    QVERIFY(client_->removeContainer(*id, true).ok());
  }
};

QTEST_APPLESS_MAIN(DockerClientTest)
#include "docker_client_test.moc"
