// High availability: three masters elect a leader through a real 3-member ZooKeeper ensemble;
// two real agents run real tasks. Leaders are killed, ZooKeeper members are killed, all masters
// restart — and after each, one leader knows every running task, and none was killed.
#include <QtTest>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/operator_client.h"
#include "local_cluster.h"
#include "test_framework.h"
#include "zk_ensemble.h"

namespace v1 = orchestrator::v1;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;
using orch::testing::ZkEnsemble;

class HaFailoverTest : public QObject {
  Q_OBJECT

  static constexpr int kTasks = 4;

 private slots:
  void initTestCase() {
    auto zk = zk_.start();
    QVERIFY2(zk.ok(), std::string(zk.message()).c_str());
    LocalCluster::Options options;
    options.masters = 3;
    options.agents = 2;
    options.zk = "zk://" + zk_.connectString() + "/orchestrator";
    options.zk_session_timeout = 2.0;
    options.clients_use_zk = true;  // agents and the framework find the leader through ZooKeeper
    options.cgroups = false;
    auto started = cluster_.start(options);
    QVERIFY2(started.ok(), std::string(started.message()).c_str());
    auto client = orch::client::OperatorClient::create(cluster_.operatorConfig());
    QVERIFY(client.ok());
    operator_ = *std::move(client);

    framework_ = std::make_unique<TestFramework>(cluster_.frameworkConfig(), "ha");
    QVERIFY(framework_->subscribe(3600).ok());
    std::vector<v1::TaskInfo> tasks;
    for (int i = 0; i < kTasks; ++i) {
      tasks.push_back(TestFramework::shellTask(absl::StrCat("ha-", i), "sleep 600"));
    }
    QVERIFY(framework_->launch(tasks).ok());
    for (int i = 0; i < kTasks; ++i) {
      QVERIFY(framework_->waitForState(absl::StrCat("ha-", i), v1::TASK_RUNNING).has_value());
    }
  }

  void cleanupTestCase() {
    framework_.reset();
    operator_.reset();
    cluster_.stop();
  }

  void onlyOneMasterLeads() {
    int leaders = 0;
    for (int i = 0; i < cluster_.masterCount(); ++i) {
      orch::client::ClientConfig one = cluster_.operatorConfig();
      one.masters = {cluster_.masterAddress(i)};
      auto client = orch::client::OperatorClient::create(one);
      QVERIFY(client.ok());
      auto state = (*client)->getState();
      if (state.ok()) {
        leaders++;
      } else {
        // A standby names the leader.
        QVERIFY2(QString::fromStdString(std::string(state.status().message())).contains("standby"),
                 std::string(state.status().message()).c_str());
      }
    }
    QCOMPARE(leaders, 1);
  }

  void leaderKilledFiveTimesInARow() {
    for (int round = 0; round < 5; ++round) {
      auto leader = cluster_.waitForLeader();
      QVERIFY(leader.ok());
      cluster_.killMaster(*leader);
      auto next = cluster_.waitForLeader(30);
      QVERIFY2(next.ok(), std::string(next.status().message()).c_str());
      QVERIFY(*next != *leader);
      QVERIFY(cluster_.startMaster(*leader).ok());  // back as a standby, as systemd would
      verifyEveryTaskRunning();
    }
  }

  // The hardest case: the leader dies while a framework is launching. Every launch the
  // master acknowledged was written to ZooKeeper first, so the next leader knows it: the task
  // runs, or (if the dead leader never reached the agent) its framework hears TASK_LOST.
  void leaderKilledWhileLaunching() {
    std::set<std::string> acknowledged;
    for (int round = 0; round < 5; ++round) {
      auto leader = cluster_.waitForLeader(30);
      QVERIFY(leader.ok());
      std::mutex mu;
      std::atomic<bool> stop{false};
      std::map<std::string, int> failures;
      std::thread launcher([&, round] {
        // Paced (and capped) so launches span the kill without exhausting the agents.
        for (int i = 0; !stop && i < 60; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(40));
          const std::string id = absl::StrCat("fl-", round, "-", i);
          absl::Status s = framework_->launch({TestFramework::shellTask(id, "sleep 600", 0.01, 8)}, 2);
          std::lock_guard<std::mutex> lock(mu);
          if (s.ok()) {
            acknowledged.insert(id);
          } else {
            failures[std::string(s.message()).substr(0, 60)]++;
          }
        }
      });
      QTest::qWait(700);
      cluster_.killMaster(*leader);
      auto next = cluster_.waitForLeader(30);
      QTest::qWait(1500);  // keep launching on the new leader too
      stop = true;
      launcher.join();
      for (const auto& [why, n] : failures) qInfo("round %d: %d launches failed: %s", round, n, why.c_str());
      QVERIFY2(next.ok(), std::string(next.status().message()).c_str());
      QVERIFY(cluster_.startMaster(*leader).ok());
      verifyEveryTaskRunning();
      verifyLaunchesAccountedFor(acknowledged);
    }
    qInfo("%zu launches acknowledged across 5 leader kills", acknowledged.size());
    QVERIFY(acknowledged.size() >= 5);
    // The framework was never torn down: it is known and its first tasks still run.
    auto frameworks = operator_->getFrameworks();
    QVERIFY(frameworks.ok());
    bool known = false;
    for (const auto& f : frameworks->frameworks()) {
      known = known || f.framework_info().framework_id() == framework_->frameworkId();
    }
    QVERIFY(known);
  }

  void zooKeeperFollowerKilled() {
    int zk_leader = zk_.leaderIndex();
    int follower = (zk_leader + 1) % zk_.size();
    zk_.kill(follower);
    restartLostMasters();
    verifyEveryTaskRunning();
    QVERIFY(zk_.restart(follower).ok());
  }

  void zooKeeperLeaderKilled() {
    int zk_leader = zk_.leaderIndex();
    QVERIFY(zk_leader >= 0);
    zk_.kill(zk_leader);
    // Masters whose ZooKeeper connection broke step down and exit; restart them.
    restartLostMasters();
    verifyEveryTaskRunning();
    QVERIFY(zk_.restart(zk_leader).ok());
    QVERIFY(zk_.waitQuorum().ok());
  }

  void allMastersRestartAtOnce() {
    for (int i = 0; i < cluster_.masterCount(); ++i) cluster_.killMaster(i);
    for (int i = 0; i < cluster_.masterCount(); ++i) QVERIFY(cluster_.startMaster(i).ok());
    verifyEveryTaskRunning();
  }

 private:
  // Masters that exit because their ZooKeeper connection broke are started again, as a
  // supervisor (systemd) would.
  void restartLostMasters() {
    QTest::qWait(3000);  // a connection loss shows within the session timeout
    for (int i = 0; i < cluster_.masterCount(); ++i) {
      if (!cluster_.masterRunning(i)) QVERIFY(cluster_.startMaster(i).ok());
    }
  }

  // Waits up to `seconds` for a leader while restarting any master that has exited meanwhile
  // (on a loaded machine a master may lose its ZooKeeper session, and exit, well after the
  // first look restartLostMasters takes).
  bool superviseUntilLeader(int seconds) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < seconds * 1000) {
      for (int i = 0; i < cluster_.masterCount(); ++i) {
        if (!cluster_.masterRunning(i) && !cluster_.startMaster(i).ok()) return false;
      }
      if (cluster_.leaderIndex() >= 0) return true;
      QTest::qWait(200);
    }
    return false;
  }

  void verifyEveryTaskRunning() {
    QVERIFY2(superviseUntilLeader(45), ("no master became leader; logs in " + cluster_.dir()).c_str());
    QVERIFY(cluster_.waitForAgents(2, 30).ok());
    // The new leader learns the tasks from the re-registering agents.
    bool all = false;
    std::string last;
    for (int attempt = 0; attempt < 100 && !all; ++attempt) {
      auto tasks = operator_->getTasks({});
      if (!tasks.ok()) {
        last = std::string(tasks.status().message());
        QTest::qWait(100);
        continue;
      }
      std::set<std::string> running;
      int records = 0;
      for (const auto& t : tasks->tasks()) {
        if (t.task_info().task_id().rfind("ha-", 0) != 0) continue;
        records++;
        if (t.state() == v1::TASK_RUNNING) running.insert(t.task_info().task_id());
      }
      all = static_cast<int>(running.size()) == kTasks && records == kTasks;  // no duplicates
      last = absl::StrCat(running.size(), " running of ", records, " records");
      if (!all) QTest::qWait(100);
    }
    QVERIFY2(all, last.c_str());
    // No task was killed or lost on the way.
    for (int i = 0; i < kTasks; ++i) {
      for (const auto& u : framework_->updates(absl::StrCat("ha-", i))) {
        QVERIFY(!TestFramework::isTerminal(u.state()));
      }
    }
  }

  // Each acknowledged launch is known to the leader (exactly once) or ended with an update the
  // framework received; none vanished.
  void verifyLaunchesAccountedFor(const std::set<std::string>& acknowledged) {
    std::string missing;
    for (int attempt = 0; attempt < 150; ++attempt) {
      auto tasks = operator_->getTasks({});
      if (!tasks.ok()) {
        QTest::qWait(100);
        continue;
      }
      std::map<std::string, int> seen;
      for (const auto& t : tasks->tasks()) seen[t.task_info().task_id()]++;
      for (const auto& [id, n] : seen) QVERIFY2(n == 1, ("duplicate task id " + id).c_str());
      missing.clear();
      for (const std::string& id : acknowledged) {
        bool ended = false;
        for (const auto& u : framework_->updates(id)) ended = ended || TestFramework::isTerminal(u.state());
        if (!seen.count(id) && !ended) missing += id + " ";
      }
      if (missing.empty()) break;
      QTest::qWait(100);
    }
    QVERIFY2(missing.empty(), ("acknowledged launches unknown to the leader: " + missing).c_str());
    int running = 0, ended = 0;
    for (const std::string& id : acknowledged) {
      auto updates = framework_->updates(id);
      if (!updates.empty() && TestFramework::isTerminal(updates.back().state())) {
        ended++;
      } else if (!updates.empty() && updates.back().state() == v1::TASK_RUNNING) {
        running++;
      }
    }
    qInfo("acknowledged %zu: %d running, %d ended (lost in the failover), rest starting",
          acknowledged.size(), running, ended);
  }

  ZkEnsemble zk_;
  LocalCluster cluster_;
  std::unique_ptr<orch::client::OperatorClient> operator_;
  std::unique_ptr<TestFramework> framework_;
};

QTEST_GUILESS_MAIN(HaFailoverTest)
#include "ha_failover_test.moc"
