// TopologyFeed: operator events to valid graphview deltas, checked by applying them to a real
// GraphModel (which rejects any invalid entry with a message).
#include <QTest>

#include "model/graph_model.h"
#include "models/topology_feed.h"
#include "operator_events.h"

using namespace orch::console;
using namespace orch::console::testing;
using orch::graphview::GraphModel;
namespace v1 = orchestrator::v1;

class ConsoleTopologyFeedTest : public QObject {
  Q_OBJECT

 private:
  // Applies the feed's pending delta; fails the test if the model rejects anything.
  static void flush(TopologyFeed& feed, GraphModel& model) {
    const auto report = model.apply(feed.takeDelta());
    QVERIFY2(report.ok(), qPrintable(report.errors.join(QStringLiteral("; "))));
  }
  static v1::OperatorEvent subscribed() {
    v1::OperatorEvent e;
    e.set_type(v1::OperatorEvent::SUBSCRIBED);
    *e.mutable_state()->add_agents() = agent("a1", "host-1");
    *e.mutable_state()->add_frameworks() = framework("f1", "web");
    *e.mutable_state()->add_tasks() = task("t1", "a1", "f1", v1::TASK_RUNNING);
    *e.mutable_state()->add_completed_tasks() = task("t0", "a1", "f1", v1::TASK_FINISHED);
    return e;
  }

 private slots:
  void snapshotMakesNodesAndEdges() {
    TopologyFeed feed;
    GraphModel model;
    feed.apply(subscribed());
    flush(feed, model);
    QCOMPARE(model.nodeCount(), 3);  // agent, framework, running task (not the finished one)
    QVERIFY(model.node(QStringLiteral("task:t1")) != nullptr);
    QCOMPARE(model.node(QStringLiteral("task:t1"))->parentId, QStringLiteral("agent:a1"));
    QCOMPARE(model.edgeCount(), 1);
  }

  void taskAddedAndFinishedInOneBatchLeavesNothing() {
    TopologyFeed feed;
    GraphModel model;
    feed.apply(subscribed());
    flush(feed, model);
    feed.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("t2", "a1", "f1", v1::TASK_STAGING)));
    feed.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t2", "a1", "f1", v1::TASK_FINISHED)));
    const auto delta = feed.takeDelta();
    QVERIFY(delta.isEmpty());
    QCOMPARE(model.nodeCount(), 3);
  }

  void lifecycleThroughSeparateBatches() {
    TopologyFeed feed;
    GraphModel model;
    feed.apply(subscribed());
    flush(feed, model);
    feed.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("t2", "a1", "f1", v1::TASK_STAGING)));
    flush(feed, model);
    QCOMPARE(model.nodeCount(), 4);
    QCOMPARE(model.edgeCount(), 2);
    feed.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t2", "a1", "f1", v1::TASK_RUNNING)));
    flush(feed, model);
    QCOMPARE(model.node(QStringLiteral("task:t2"))->status, orch::graphview::NodeStatus::Healthy);
    feed.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t2", "a1", "f1", v1::TASK_KILLED)));
    flush(feed, model);
    QCOMPARE(model.nodeCount(), 3);
    QCOMPARE(model.edgeCount(), 1);
    // An agent draining turns amber; removing the framework takes its edges with it.
    feed.apply(agentEvent(v1::OperatorEvent::AGENT_UPDATED, agent("a1", "host-1", v1::AgentState::DRAINING)));
    feed.apply(frameworkEvent(v1::OperatorEvent::FRAMEWORK_REMOVED, framework("f1", "web")));
    flush(feed, model);
    QCOMPARE(model.node(QStringLiteral("agent:a1"))->status, orch::graphview::NodeStatus::Warning);
    QCOMPARE(model.nodeCount(), 2);
    QCOMPARE(model.edgeCount(), 0);
  }

  void reconnectSnapshotReconciles() {
    TopologyFeed feed;
    GraphModel model;
    feed.apply(subscribed());
    feed.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("stale", "a1", "f1", v1::TASK_RUNNING)));
    flush(feed, model);
    QCOMPARE(model.nodeCount(), 4);
    feed.apply(subscribed());
    flush(feed, model);
    QCOMPARE(model.nodeCount(), 3);
    QVERIFY(model.node(QStringLiteral("task:stale")) == nullptr);
    QCOMPARE(model.edgeCount(), 1);
  }

  void taskBeforeItsFrameworkGetsItsEdgeLater() {
    TopologyFeed feed;
    GraphModel model;
    feed.apply(agentEvent(v1::OperatorEvent::AGENT_ADDED, agent("a1", "host-1")));
    feed.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("t1", "a1", "f9", v1::TASK_RUNNING)));
    flush(feed, model);
    QCOMPARE(model.edgeCount(), 0);
    feed.apply(frameworkEvent(v1::OperatorEvent::FRAMEWORK_ADDED, framework("f9", "late")));
    flush(feed, model);
    QCOMPARE(model.edgeCount(), 1);
  }

  void parseNode_data() {
    QTest::addColumn<QString>("node");
    QTest::addColumn<int>("kind");  // -1: not ours
    QTest::addColumn<QString>("id");
    QTest::newRow("agent") << "agent:a-1" << int(TopologyFeed::ObjectKind::kAgent) << "a-1";
    QTest::newRow("framework") << "framework:f:1" << int(TopologyFeed::ObjectKind::kFramework) << "f:1";
    QTest::newRow("task") << "task:run-1" << int(TopologyFeed::ObjectKind::kTask) << "run-1";
    QTest::newRow("no id") << "task:" << -1 << "";
    QTest::newRow("other") << "host:h1" << -1 << "";
    QTest::newRow("no colon") << "agent" << -1 << "";
  }
  void parseNode() {
    QFETCH(QString, node);
    QFETCH(int, kind);
    QFETCH(QString, id);
    const auto ref = TopologyFeed::parseNode(node);
    QCOMPARE(ref.has_value(), kind >= 0);
    if (ref) {
      QCOMPARE(int(ref->kind), kind);
      QCOMPARE(ref->id, id);
    }
  }
};

QTEST_APPLESS_MAIN(ConsoleTopologyFeedTest)
#include "console_topology_feed_test.moc"
