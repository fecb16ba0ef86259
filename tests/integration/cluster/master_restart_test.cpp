// A single master without ZooKeeper keeps its registry in the embedded store under its data
// dir: kill -9 it and start it again, and it knows every agent, framework (with its failover
// timeout), task, weight and quota; no task is killed and the framework resubscribes by itself.
#include <QtTest>

#include "absl/strings/str_cat.h"
#include "client/operator_client.h"
#include "local_cluster.h"
#include "test_framework.h"

namespace v1 = orchestrator::v1;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;

class MasterRestartTest : public QObject {
  Q_OBJECT

 private slots:
  void killedMasterComesBackWithItsState() {
    LocalCluster cluster;
    LocalCluster::Options options;
    options.agents = 1;
    options.cgroups = false;
    QVERIFY(cluster.start(options).ok());
    auto client = orch::client::OperatorClient::create(cluster.operatorConfig());
    QVERIFY(client.ok());
    v1::SetWeightsRequest weights_request;
    auto* w = weights_request.add_weights();
    w->set_role("eng");
    w->set_weight(3);
    QVERIFY((*client)->setWeights(weights_request).ok());

    TestFramework framework(cluster.frameworkConfig(), "durable");
    QVERIFY(framework.subscribe(7200, {"eng"}).ok());
    const std::string framework_id = framework.frameworkId();
    QVERIFY(framework.launch({TestFramework::shellTask("keep-1", "sleep 600", 0.1, 16),
                              TestFramework::shellTask("keep-2", "sleep 600", 0.1, 16)}).ok());
    QVERIFY(framework.waitForState("keep-1", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("keep-2", v1::TASK_RUNNING).has_value());
    auto before = (*client)->getAgents();
    QVERIFY(before.ok());
    QCOMPARE(before->agents_size(), 1);
    const std::string agent_id = before->agents(0).agent_info().agent_id();

    // The agent is frozen, so whatever the new master knows comes from its store.
    cluster.pauseAgent(0);
    cluster.killMaster(0);
    QVERIFY(cluster.startMaster(0).ok());
    QVERIFY(cluster.waitForLeader(30).ok());
    auto recovered = (*client)->getState();
    for (int i = 0; i < 50 && !recovered.ok(); ++i) {
      QTest::qWait(100);
      recovered = (*client)->getState();
    }
    QVERIFY2(recovered.ok(), std::string(recovered.status().message()).c_str());
    QCOMPARE(recovered->tasks_size(), 2);
    QCOMPARE(recovered->agents_size(), 1);
    QCOMPARE(recovered->agents(0).agent_info().agent_id(), agent_id);
    cluster.resumeAgent(0);

    // Known at once from the store (before the agent re-registers), then running.
    bool ok = false;
    std::string last;
    for (int i = 0; i < 100 && !ok; ++i) {
      auto state = (*client)->getState();
      if (!state.ok()) {
        last = std::string(state.status().message());
        QTest::qWait(100);
        continue;
      }
      int running = 0;
      for (const auto& t : state->tasks()) running += t.state() == v1::TASK_RUNNING;
      bool same_agent = state->agents_size() == 1 && state->agents(0).agent_info().agent_id() == agent_id;
      bool framework_known = false;
      for (const auto& f : state->frameworks()) {
        if (f.framework_info().framework_id() == framework_id) {
          framework_known = f.framework_info().failover_timeout() == 7200;
        }
      }
      ok = running == 2 && same_agent && framework_known;
      last = absl::StrCat(running, " running, agent kept: ", same_agent, ", framework kept: ", framework_known);
      if (!ok) QTest::qWait(100);
    }
    QVERIFY2(ok, last.c_str());
    auto weights = (*client)->getWeights();
    QVERIFY(weights.ok());
    bool weight_kept = false;
    for (const auto& w : weights->weights()) weight_kept = weight_kept || (w.role() == "eng" && w.weight() == 3);
    QVERIFY(weight_kept);
    // The framework resubscribed by itself with the same id and can launch again.
    QVERIFY(framework.launch({TestFramework::shellTask("after", "true", 0.1, 16)}).ok());
    QVERIFY(framework.waitForState("after", v1::TASK_FINISHED).has_value());
    QCOMPARE(framework.frameworkId(), framework_id);
    for (const char* id : {"keep-1", "keep-2"}) {
      for (const auto& u : framework.updates(id)) QVERIFY(!TestFramework::isTerminal(u.state()));
    }
  }
};

QTEST_GUILESS_MAIN(MasterRestartTest)
#include "master_restart_test.moc"
