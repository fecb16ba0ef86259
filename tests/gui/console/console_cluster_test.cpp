// The console against a real local cluster (orch-master + 2 orch-agents on loopback, mTLS):
// a launched task shows up in the Tasks view within 1 s, its stdout follows live, kill and
// drain change state, the Run Task dialog launches, the topology follows and syncs selection,
// and a lost master is shown as reconnecting. Screenshots of every view go to
// $ORCH_BUILD_DIR/screenshots/console-*.png. Needs a display (xvfb-run).
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTranslator>

#include "dialogs/run_task_dialog.h"
#include "dialogs/task_details_dialog.h"
#include "local_cluster.h"
#include "models/model_roles.h"
#include "render/graph_widget.h"
#include "test_framework.h"
#include "views/main_window.h"
#include "views/overview_page.h"
#include "views/table_page.h"
#include "views/topology_page.h"

using namespace orch::console;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;
namespace v1 = orchestrator::v1;

class ConsoleClusterTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<MainWindow> window_;
  std::unique_ptr<TestFramework> framework_;
  QString shots_;

  void screenshot(const QString& name) {
    QApplication::processEvents();
    const QString path = shots_ + QStringLiteral("/console-%1.png").arg(name);
    QVERIFY2(window_->grab().save(path), qPrintable(path));
  }
  // The test framework keeps the offers it does not use: hand them back and stop new ones, so
  // another framework (the Run Task dialog's) can get offers.
  void quiesceTestFramework() {
    (void)framework_->session().suppress();
    while (auto offer = framework_->takeOffer(0.5)) (void)framework_->session().decline({offer->offer_id()}, 1);
  }
  QString taskState(const QString& id) const {
    const v1::TaskRecord* t = window_->models().tasks().task(id);
    return t ? TasksModel::stateName(t->state()) : QString();
  }

 private slots:
  void initTestCase() {
    if (qEnvironmentVariableIsSet("ORCH_CONSOLE_NO_DISPLAY")) {
      QSKIP("no DISPLAY: run under xvfb-run -a -s \"-screen 0 1920x1080x24\"");
    }
    shots_ = qEnvironmentVariable("ORCH_BUILD_DIR", QDir::tempPath()) + QStringLiteral("/screenshots");
    QDir().mkpath(shots_);
    cluster_ = std::make_unique<LocalCluster>();
    LocalCluster::Options options;
    options.agents = 2;
    const absl::Status started = cluster_->start(options);
    QVERIFY2(started.ok(), std::string(started.message()).c_str());

    window_ = std::make_unique<MainWindow>();
    window_->resize(1400, 860);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    const absl::Status connected = window_->connectTo(cluster_->operatorConfig());
    QVERIFY2(connected.ok(), std::string(connected.message()).c_str());
    QTRY_COMPARE_WITH_TIMEOUT(window_->connection().state(), ClusterConnection::State::kConnected, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(window_->models().agents().rowCount(), 2, 10000);
    QVERIFY2(window_->connectionText().contains(QStringLiteral("Connected")), qPrintable(window_->connectionText()));
    QVERIFY2(window_->masterText().contains(cluster_->masterAddress().c_str()), qPrintable(window_->masterText()));

    framework_ = std::make_unique<TestFramework>(cluster_->frameworkConfig(), "console-test");
    const absl::Status subscribed = framework_->subscribe();
    QVERIFY2(subscribed.ok(), std::string(subscribed.message()).c_str());
  }

  void cleanupTestCase() {
    window_.reset();
    framework_.reset();
    if (cluster_) cluster_->stop();
  }

  void launchedTaskAppearsInTasksViewWithinOneSecond() {
    window_->tabs()->setCurrentWidget(window_->tasksPage());
    const QString id = QStringLiteral("console-visible");
    const absl::Status launched = framework_->launch(
        {TestFramework::shellTask(id.toStdString(), "echo first-line; sleep 1; echo second-line; sleep 60")});
    QVERIFY2(launched.ok(), std::string(launched.message()).c_str());
    QElapsedTimer clock;
    clock.start();
    TablePage* page = window_->tasksPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->proxyRowOf(id) >= 0, 1000);
    qInfo("task visible in the Tasks view %lld ms after the master accepted the launch", clock.elapsed());
    QTRY_COMPARE_WITH_TIMEOUT(taskState(id), QStringLiteral("RUNNING"), 10000);
    QVERIFY(page->selectId(id));
    QCOMPARE(page->currentId(), id);
    screenshot(QStringLiteral("tasks"));
  }

  void taskLogFollowsLive() {
    const QString id = QStringLiteral("console-visible");
    TaskDetailsDialog* details = window_->showTaskDetails(id);
    QVERIFY(details != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(details->stdoutView()->toPlainText().contains(QStringLiteral("first-line")), 10000);
    // The second line is written a second after the first: it only arrives by following.
    QTRY_VERIFY_WITH_TIMEOUT(details->stdoutView()->toPlainText().contains(QStringLiteral("second-line")), 10000);
    QCOMPARE(details->stateText(), TasksModel::stateText(v1::TASK_RUNNING));
    details->resize(900, 600);
    QApplication::processEvents();
    details->grab().save(shots_ + QStringLiteral("/console-task-details.png"));
  }

  void killFromDetailsEndsTheTask() {
    const QString id = QStringLiteral("console-visible");
    TaskDetailsDialog* details = window_->showTaskDetails(id);
    QVERIFY(details->killButton()->isEnabled());
    details->killNow();
    QTRY_COMPARE_WITH_TIMEOUT(taskState(id), QStringLiteral("KILLED"), 20000);
    QTRY_VERIFY(!details->killButton()->isEnabled());
    details->close();
  }

  void runTaskDialogLaunchesATask() {
    quiesceTestFramework();
    RunTaskDialog dialog(window_->connection().credentials(), window_.get());
    QSignalSpy launched(&dialog, &RunTaskDialog::taskLaunched);
    dialog.show();
    dialog.nameField()->setText(QStringLiteral("from-dialog"));
    dialog.commandField()->setText(QStringLiteral("echo launched-from-dialog"));
    dialog.run();
    QTRY_COMPARE_WITH_TIMEOUT(launched.count(), 1, 20000);
    const QString id = launched.first().first().toString();
    QTRY_COMPARE_WITH_TIMEOUT(taskState(id), QStringLiteral("FINISHED"), 20000);
    QCOMPARE(QString::fromStdString(window_->models().tasks().task(id)->task_info().name()), QStringLiteral("from-dialog"));

    // A request the dialog refuses says why, in the dialog.
    dialog.commandField()->clear();
    dialog.run();
    QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("command")), qPrintable(dialog.statusLabel()->text()));
  }

  void topologyShowsAndSyncsSelection() {
    const QString id = QStringLiteral("console-topo");
    (void)framework_->session().revive();
    QVERIFY(framework_->launch({TestFramework::shellTask(id.toStdString(), "sleep 60")}).ok());
    QTRY_COMPARE_WITH_TIMEOUT(taskState(id), QStringLiteral("RUNNING"), 10000);
    TopologyPage* topo = window_->topologyPage();
    window_->tabs()->setCurrentWidget(topo);
    topo->flush();
    const QString node = TopologyFeed::taskNode(id);
    QVERIFY(topo->feed().hasNode(node));
    QVERIFY(topo->graph()->model().node(node) != nullptr);
    QVERIFY(topo->graph()->model().nodeCount() >= 4);  // 2 agents, 1 framework, >= 1 task
    // Table -> graph.
    window_->selectObject(TopologyFeed::ObjectKind::kTask, id, false);
    QCOMPARE(topo->graph()->selectedIds(), QStringList{node});
    // Graph -> table: click the agent node.
    QVERIFY(topo->graph()->waitForLayout(20000));
    QApplication::processEvents();
    const QString agentId = window_->models().agents().agentAt(0).agent_info().agent_id().c_str();
    const auto pos = topo->graph()->nodeScreenPosition(TopologyFeed::agentNode(agentId));
    QVERIFY(pos.has_value());
    QTest::mouseClick(topo->graph(), Qt::LeftButton, {}, pos->toPoint());
    QTRY_COMPARE(window_->agentsPage()->currentId(), agentId);
    QTest::qWait(300);
    screenshot(QStringLiteral("topology"));
  }

  void overviewAndFrameworksViews() {
    window_->tabs()->setCurrentWidget(window_->overviewPage());
    window_->overviewPage()->refresh();
    QTest::qWait(5500);  // a second utilisation sample for the chart
    window_->overviewPage()->refresh();
    // console-topo (0.1 cpus) is running.
    QVERIFY2(window_->overviewPage()->resourceText(QStringLiteral("cpus")).startsWith(QStringLiteral("0.1 used")),
             qPrintable(window_->overviewPage()->resourceText(QStringLiteral("cpus"))));
    QVERIFY2(window_->overviewPage()->resourceText(QStringLiteral("cpus")).contains(QStringLiteral("of 8")),
             qPrintable(window_->overviewPage()->resourceText(QStringLiteral("cpus"))));
    QVERIFY(window_->overviewPage()->tasksText().contains(TasksModel::stateText(v1::TASK_KILLED)));
    screenshot(QStringLiteral("overview"));
    window_->tabs()->setCurrentWidget(window_->frameworksPage());
    QTRY_VERIFY(window_->frameworksPage()->proxyRowOf(QString::fromStdString(framework_->frameworkId())) >= 0);
    screenshot(QStringLiteral("frameworks"));
  }

  void drainChangesTheAgentsState() {
    window_->tabs()->setCurrentWidget(window_->agentsPage());
    const QString agentId = window_->models().agents().agentAt(1).agent_info().agent_id().c_str();
    QVERIFY(window_->agentsPage()->selectId(agentId));
    window_->drainAgent(agentId);
    auto state = [&] {
      const v1::AgentState* a = window_->models().agents().agent(agentId);
      return a ? AgentsModel::stateName(a->status()) : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(state() == QStringLiteral("DRAINING") || state() == QStringLiteral("DRAINED"), 10000);
    QTRY_VERIFY(window_->agentsPage()->message().contains(agentId));
    screenshot(QStringLiteral("agents"));
    window_->reactivateAgent(agentId);
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("ACTIVE"), 10000);
  }

  void germanWindow() {
    QTranslator german;
    QVERIFY(german.load(QStringLiteral(":/i18n/orch_de.qm")));
    QCoreApplication::installTranslator(&german);
    {
      MainWindow de(MainWindow::Options{false});
      de.resize(1400, 860);
      de.show();
      QVERIFY(de.connectTo(cluster_->operatorConfig()).ok());
      QTRY_COMPARE_WITH_TIMEOUT(de.connection().state(), ClusterConnection::State::kConnected, 15000);
      QTRY_VERIFY(de.models().tasks().rowCount() > 0);
      de.tabs()->setCurrentWidget(de.tasksPage());
      QCOMPARE(de.tabs()->tabText(1), QStringLiteral("&Agenten"));
      QVERIFY2(de.connectionText().contains(QStringLiteral("Verbunden")), qPrintable(de.connectionText()));
      QApplication::processEvents();
      QVERIFY(de.grab().save(shots_ + QStringLiteral("/console-tasks-de.png")));
    }
    QCoreApplication::removeTranslator(&german);
  }

  void lostMasterShowsReconnecting() {
    MainWindow other(MainWindow::Options{false});
    other.show();
    auto config = cluster_->operatorConfig();
    config.masters = {"127.0.0.1:" + std::to_string(LocalCluster::freePort())};
    QVERIFY(other.connectTo(config).ok());
    QTRY_VERIFY_WITH_TIMEOUT(other.connectionText().contains(QStringLiteral("reconnecting")), 10000);
  }
};

int main(int argc, char** argv) {
  // Without a display QApplication cannot start: run offscreen and skip with the reason.
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("ORCH_CONSOLE_NO_DISPLAY", "1");
  }
  QApplication app(argc, argv);
  ConsoleClusterTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "console_cluster_test.moc"
