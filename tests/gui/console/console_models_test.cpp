// The console's table models and proxy fed with operator events as the master sends them.
#include <QSignalSpy>
#include <QTest>

#include "models/cluster_models.h"
#include "models/cluster_totals.h"
#include "models/event_inbox.h"
#include "models/model_roles.h"
#include "operator_events.h"
#include "views/table_filter_proxy.h"

using namespace orch::console;
using namespace orch::console::testing;
namespace v1 = orchestrator::v1;

class ConsoleModelsTest : public QObject {
  Q_OBJECT

 private:
  static v1::OperatorEvent subscribed() {
    v1::OperatorEvent e;
    e.set_type(v1::OperatorEvent::SUBSCRIBED);
    v1::GetState* s = e.mutable_state();
    s->set_master_id("m1");
    s->set_leader("127.0.0.1:5050");
    *s->add_agents() = agent("a1", "host-1", v1::AgentState::ACTIVE, 4, 0.2);  // t1 + t2
    *s->add_agents() = agent("a2", "host-2", v1::AgentState::DRAINING, 2, 0);
    *s->add_frameworks() = framework("f1", "web");
    *s->add_tasks() = task("t1", "a1", "f1", v1::TASK_RUNNING);
    *s->add_tasks() = task("t2", "a1", "f1", v1::TASK_STAGING);
    *s->add_completed_tasks() = task("t0", "a2", "f1", v1::TASK_FINISHED);
    return e;
  }

 private slots:
  void snapshotFillsEveryModel() {
    ClusterModels m;
    QSignalSpy snap(&m, &ClusterModels::snapshotApplied);
    QSignalSpy leader(&m, &ClusterModels::leaderChanged);
    m.apply(subscribed());
    QCOMPARE(snap.count(), 1);
    QCOMPARE(leader.count(), 1);
    QCOMPARE(m.leader(), QStringLiteral("127.0.0.1:5050"));
    QCOMPARE(m.agents().rowCount(), 2);
    QCOMPARE(m.frameworks().rowCount(), 1);
    QCOMPARE(m.tasks().rowCount(), 3);
    QCOMPARE(m.tasks().task(QStringLiteral("t0"))->state(), v1::TASK_FINISHED);
    // The Agent column names the agent by hostname; the sort key stays the id.
    const int row = *m.tasks().rowOf(QStringLiteral("t1"));
    QCOMPARE(m.tasks().index(row, TasksModel::kAgent).data().toString(), QStringLiteral("host-1"));
    QCOMPARE(m.tasks().index(row, TasksModel::kAgent).data(kSortRole).toString(), QStringLiteral("a1"));
    // Allocation as the master reports it (t1 and t2, 0.1 cpus each).
    QCOMPARE(m.agents().index(*m.agents().rowOf(QStringLiteral("a1")), AgentsModel::kCpus).data().toString(),
             QStringLiteral("0.2 / 4"));
  }

  void taskDeltasInsertAndUpdateOneRow() {
    ClusterModels m;
    m.apply(subscribed());
    QSignalSpy inserted(&m.tasks(), &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&m.tasks(), &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&m.tasks(), &QAbstractItemModel::modelReset);
    m.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("t3", "a2", "f1", v1::TASK_STAGING)));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(m.tasks().rowCount(), 4);
    m.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t3", "a2", "f1", v1::TASK_RUNNING)));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), *m.tasks().rowOf(QStringLiteral("t3")));
    QCOMPARE(m.tasks().rowCount(), 4);
    QCOMPARE(m.tasks().task(QStringLiteral("t3"))->state(), v1::TASK_RUNNING);
    QCOMPARE(reset.count(), 0);  // deltas never rebuild the table
  }

  void agentDeltas_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("rows");
    QTest::addColumn<QString>("state");
    QTest::newRow("draining") << int(v1::OperatorEvent::AGENT_UPDATED) << "a1" << int(v1::AgentState::DRAINING) << 2
                             << "DRAINING";
    QTest::newRow("unreachable") << int(v1::OperatorEvent::AGENT_UPDATED) << "a2" << int(v1::AgentState::UNREACHABLE)
                                 << 2 << "UNREACHABLE";
    QTest::newRow("added") << int(v1::OperatorEvent::AGENT_ADDED) << "a3" << int(v1::AgentState::ACTIVE) << 3
                           << "ACTIVE";
    QTest::newRow("removed") << int(v1::OperatorEvent::AGENT_REMOVED) << "a1" << int(v1::AgentState::GONE) << 1 << "";
  }
  void agentDeltas() {
    QFETCH(int, type);
    QFETCH(QString, id);
    QFETCH(int, status);
    QFETCH(int, rows);
    QFETCH(QString, state);
    ClusterModels m;
    m.apply(subscribed());
    m.apply(agentEvent(static_cast<v1::OperatorEvent::Type>(type),
                       agent(id.toStdString(), "h", static_cast<v1::AgentState::Status>(status))));
    QCOMPARE(m.agents().rowCount(), rows);
    auto row = m.agents().rowOf(id);
    if (state.isEmpty()) {
      QVERIFY(!row.has_value());
    } else {
      QVERIFY(row.has_value());
      QCOMPARE(m.agents().index(*row, 0).data(kStateRole).toString(), state);
    }
  }

  void frameworkRemovedDropsTheRowAndKeepsIndexes() {
    ClusterModels m;
    m.apply(subscribed());
    m.apply(frameworkEvent(v1::OperatorEvent::FRAMEWORK_ADDED, framework("f2", "batch")));
    m.apply(frameworkEvent(v1::OperatorEvent::FRAMEWORK_ADDED, framework("f3", "cron")));
    m.apply(frameworkEvent(v1::OperatorEvent::FRAMEWORK_REMOVED, framework("f1", "web")));
    QCOMPARE(m.frameworks().rowCount(), 2);
    QCOMPARE(m.frameworks().framework(QStringLiteral("f3"))->framework_info().name(), std::string("cron"));
    QCOMPARE(*m.frameworks().rowOf(QStringLiteral("f3")), 1);
  }

  void secondSubscribedReplacesEverything() {
    ClusterModels m;
    m.apply(subscribed());
    m.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("gone-after-reconnect", "a1", "f1", v1::TASK_RUNNING)));
    QCOMPARE(m.tasks().rowCount(), 4);
    m.apply(subscribed());  // what a reconnect delivers
    QCOMPARE(m.tasks().rowCount(), 3);
    QVERIFY(m.tasks().task(QStringLiteral("gone-after-reconnect")) == nullptr);
  }

  void inboxBatchesEventsFromAnotherThread() {
    ClusterModels m;
    EventInbox inbox;
    QObject::connect(&inbox, &EventInbox::ready, &m, [&] { m.applyBatch(inbox.take()); });
    QSignalSpy batches(&m, &ClusterModels::batchApplied);
    std::thread producer([&] {
      inbox.push(subscribed());
      for (int i = 0; i < 500; ++i) {
        inbox.push(taskEvent(v1::OperatorEvent::TASK_ADDED,
                             task("bulk-" + std::to_string(i), "a1", "f1", v1::TASK_RUNNING)));
      }
    });
    producer.join();
    QTRY_COMPARE(m.tasks().rowCount(), 503);
    // 501 events arrived while the GUI thread was busy: far fewer wake-ups than events.
    QVERIFY2(batches.count() <= 3, qPrintable(QString::number(batches.count())));
  }

  void proxyFiltersByTextAndState() {
    ClusterModels m;
    m.apply(subscribed());
    TableFilterProxy proxy;
    proxy.setSourceModel(&m.tasks());
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setState(QStringLiteral("RUNNING"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(kIdRole).toString(), QStringLiteral("t1"));
    proxy.setState({});
    proxy.setText(QStringLiteral("NAME-T2"));  // case-insensitive, any column
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(kIdRole).toString(), QStringLiteral("t2"));
    proxy.setText(QStringLiteral("host-2"));  // the Agent column's hostname
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(kIdRole).toString(), QStringLiteral("t0"));
    // A live update that makes a row match appears in the filtered view.
    proxy.setText({});
    proxy.setState(QStringLiteral("RUNNING"));
    m.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t2", "a1", "f1", v1::TASK_RUNNING)));
    QCOMPARE(proxy.rowCount(), 2);
  }

  void proxySortsByValueNotText() {
    ClusterModels m;
    m.apply(subscribed());
    for (int i = 0; i < 3; ++i) {
      auto t = task("mem-" + std::to_string(i), "a1", "f1", v1::TASK_RUNNING);
      t.mutable_task_info()->mutable_resources(1)->mutable_scalar()->set_value(i == 0 ? 900 : i == 1 ? 2048 : 100);
      m.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, t));
    }
    TableFilterProxy proxy;
    proxy.setSourceModel(&m.tasks());
    proxy.setText(QStringLiteral("mem-"));
    proxy.sort(TasksModel::kMem, Qt::DescendingOrder);
    // "2.0 GB" > "900 MB" > "100 MB" by value, not alphabetically.
    QCOMPARE(proxy.index(0, 0).data(kIdRole).toString(), QStringLiteral("mem-1"));
    QCOMPARE(proxy.index(1, 0).data(kIdRole).toString(), QStringLiteral("mem-0"));
    QCOMPARE(proxy.index(2, 0).data(kIdRole).toString(), QStringLiteral("mem-2"));
  }

  void totalsSumUsedOfferedIdle() {
    ClusterModels m;
    m.apply(subscribed());
    auto a = agent("a3", "host-3", v1::AgentState::ACTIVE, 2, 0.5);
    *a.add_offered_resources() = scalar("cpus", 1);
    m.apply(agentEvent(v1::OperatorEvent::AGENT_ADDED, a));
    const auto totals = clusterTotals(m.agents());
    const ResourceTotals& cpus = totals.at(QStringLiteral("cpus"));
    QCOMPARE(cpus.total, 8.0);
    QCOMPARE(cpus.used, 0.7);  // a1: reported 0.2 (2 live tasks x 0.1); a3: its reported 0.5
    QCOMPARE(cpus.offered, 1.0);
    QCOMPARE(cpus.idle(), 6.3);
  }

  void allocationFollowsTaskEvents() {
    ClusterModels m;
    m.apply(subscribed());
    const int row = *m.agents().rowOf(QStringLiteral("a2"));
    auto cpus = [&] { return m.agents().index(row, AgentsModel::kCpus).data().toString(); };
    QCOMPARE(cpus(), QStringLiteral("0 / 2"));
    QSignalSpy changed(&m.agents(), &QAbstractItemModel::dataChanged);
    m.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("t5", "a2", "f1", v1::TASK_STAGING)));
    QCOMPARE(cpus(), QStringLiteral("0.1 / 2"));
    QVERIFY(changed.count() >= 1);
    m.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t5", "a2", "f1", v1::TASK_RUNNING)));
    QCOMPARE(cpus(), QStringLiteral("0.1 / 2"));  // not counted twice
    m.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t5", "a2", "f1", v1::TASK_FINISHED)));
    QCOMPARE(cpus(), QStringLiteral("0 / 2"));
    QCOMPARE(clusterTotals(m.agents()).at(QStringLiteral("cpus")).used, 0.2);
  }

  // AGENT_UPDATED carries the agent's whole state as the master sees it, allocation included
  // (sent at most twice a second after launches and ends). Steps, applied after the snapshot to
  // agent a2 (2 cpus, nothing allocated):
  //   launch / run / finish  TASK_ADDED / TASK_UPDATED RUNNING / TASK_UPDATED FINISHED of t5 (0.1 cpus)
  //   report=A/O             AGENT_UPDATED a2 with A cpus allocated and O cpus offered
  void agentUpdatedCarriesAllocation_data() {
    QTest::addColumn<QStringList>("steps");
    QTest::addColumn<double>("agentCpus");  // a2's allocated cpus shown
    QTest::addColumn<double>("used");       // cluster totals (a1 holds 0.2 of 4, a2 has 2)
    QTest::addColumn<double>("offered");
    QTest::newRow("launch before the report") << QStringList{"launch"} << 0.1 << 0.3 << 0.0;
    QTest::newRow("launch then report") << QStringList{"launch", "report=0.1/0"} << 0.1 << 0.3 << 0.0;
    QTest::newRow("running is not counted twice")
        << QStringList{"launch", "report=0.1/0", "run", "report=0.1/0"} << 0.1 << 0.3 << 0.0;
    QTest::newRow("report is authoritative") << QStringList{"report=1.5/0.5"} << 1.5 << 1.7 << 0.5;
    QTest::newRow("launch on top of a report") << QStringList{"report=1.5/0.5", "launch"} << 1.6 << 1.8 << 0.5;
    QTest::newRow("finish before the report") << QStringList{"launch", "report=0.1/0", "finish"} << 0.0 << 0.2 << 0.0;
    QTest::newRow("finish then report") << QStringList{"launch", "report=0.1/0", "run", "finish", "report=0/0"} << 0.0
                                        << 0.2 << 0.0;
    QTest::newRow("offers come and go") << QStringList{"report=0/1.5", "report=0/0"} << 0.0 << 0.2 << 0.0;
    QTest::newRow("offer accepted by the launch")
        << QStringList{"report=0/0.5", "launch", "report=0.1/0.4"} << 0.1 << 0.3 << 0.4;
  }
  void agentUpdatedCarriesAllocation() {
    QFETCH(QStringList, steps);
    QFETCH(double, agentCpus);
    QFETCH(double, used);
    QFETCH(double, offered);
    ClusterModels m;
    m.apply(subscribed());
    const int row = *m.agents().rowOf(QStringLiteral("a2"));
    QSignalSpy changed(&m.agents(), &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&m.agents(), &QAbstractItemModel::modelReset);
    for (const QString& step : steps) {
      if (step == QLatin1String("launch")) {
        m.apply(taskEvent(v1::OperatorEvent::TASK_ADDED, task("t5", "a2", "f1", v1::TASK_STAGING)));
      } else if (step == QLatin1String("run")) {
        m.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t5", "a2", "f1", v1::TASK_RUNNING)));
      } else if (step == QLatin1String("finish")) {
        m.apply(taskEvent(v1::OperatorEvent::TASK_UPDATED, task("t5", "a2", "f1", v1::TASK_FINISHED)));
      } else if (step.startsWith(QLatin1String("report="))) {
        const QStringList parts = step.mid(7).split(QLatin1Char('/'));
        QCOMPARE(parts.size(), 2);
        auto a = agent("a2", "host-2", v1::AgentState::DRAINING, 2, parts[0].toDouble());
        if (parts[1].toDouble() > 0) *a.add_offered_resources() = scalar("cpus", parts[1].toDouble());
        m.apply(agentEvent(v1::OperatorEvent::AGENT_UPDATED, a));
      } else {
        QFAIL(qPrintable(QStringLiteral("unknown step ") + step));
      }
    }
    QCOMPARE(m.agents().allocated(row, "cpus"), agentCpus);
    QCOMPARE(m.agents().index(row, AgentsModel::kCpus).data(kSortRole).toDouble(), agentCpus);
    const ResourceTotals cpus = clusterTotals(m.agents()).at(QStringLiteral("cpus"));
    QCOMPARE(cpus.total, 6.0);
    QCOMPARE(cpus.used, used);
    QCOMPARE(cpus.offered, offered);
    QCOMPARE(cpus.idle(), 6.0 - used - offered);
    QVERIFY(changed.count() >= 1);  // the row repaints
    QCOMPARE(reset.count(), 0);     // and only the row
  }

  // Everything else an AGENT_UPDATED carries replaces the row too: status, total resources,
  // attributes, endpoint.
  void agentUpdatedReplacesTheWholeRow() {
    ClusterModels m;
    m.apply(subscribed());
    auto a = agent("a1", "host-1-renamed", v1::AgentState::ACTIVE, 8, 0.2);
    a.mutable_agent_info()->set_endpoint("127.0.0.1:6061");
    auto* attr = a.mutable_agent_info()->add_attributes();
    attr->set_name("rack");
    attr->set_text("r7");
    m.apply(agentEvent(v1::OperatorEvent::AGENT_UPDATED, a));
    const int row = *m.agents().rowOf(QStringLiteral("a1"));
    QCOMPARE(m.agents().index(row, AgentsModel::kHostname).data().toString(), QStringLiteral("host-1-renamed"));
    QCOMPARE(m.agents().index(row, AgentsModel::kCpus).data().toString(), QStringLiteral("0.2 / 8"));
    QCOMPARE(m.agents().index(row, AgentsModel::kAttributes).data().toString(), QStringLiteral("rack=r7"));
    QCOMPARE(m.agents().index(row, AgentsModel::kEndpoint).data().toString(), QStringLiteral("127.0.0.1:6061"));
    QCOMPARE(clusterTotals(m.agents()).at(QStringLiteral("cpus")).total, 10.0);
    // The Tasks view names the agent by its new hostname.
    const int t1 = *m.tasks().rowOf(QStringLiteral("t1"));
    QCOMPARE(m.tasks().index(t1, TasksModel::kAgent).data().toString(), QStringLiteral("host-1-renamed"));
  }
};

QTEST_GUILESS_MAIN(ConsoleModelsTest)
#include "console_models_test.moc"
