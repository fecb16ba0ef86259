// The console against masters found through ZooKeeper: a real one-member ZooKeeper ensemble,
// two orch-master processes electing a leader under zk://.../orchestrator, one agent. A profile
// with the zk:// URL connects to the leader, the status bar names it, and after the leader is
// killed the console follows the new one.
#include <QApplication>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include "dialogs/connect_dialog.h"
#include "local_cluster.h"
#include "views/main_window.h"
#include "zk_ensemble.h"

using namespace orch::console;
using orch::testing::LocalCluster;
using orch::testing::ZkEnsemble;

class ConsoleZkTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<ZkEnsemble> zk_;
  std::unique_ptr<LocalCluster> cluster_;
  QString url_;

 private slots:
  void initTestCase() {
    if (qEnvironmentVariableIsSet("ORCH_CONSOLE_NO_DISPLAY")) {
      QSKIP("no DISPLAY: run under xvfb-run -a -s \"-screen 0 1920x1080x24\"");
    }
    ZkEnsemble::Options zkOptions;
    zkOptions.members = 1;
    zkOptions.name = "console-zk";
    zk_ = std::make_unique<ZkEnsemble>(zkOptions);
    const absl::Status zkStarted = zk_->start();
    QVERIFY2(zkStarted.ok(), std::string(zkStarted.message()).c_str());
    url_ = QStringLiteral("zk://%1/orchestrator").arg(QString::fromStdString(zk_->connectString()));
    cluster_ = std::make_unique<LocalCluster>();
    LocalCluster::Options options;
    options.masters = 2;
    options.agents = 1;
    options.zk = url_.toStdString();
    options.zk_session_timeout = 2.0;
    options.clients_use_zk = true;
    const absl::Status started = cluster_->start(options);
    QVERIFY2(started.ok(), std::string(started.message()).c_str());
  }

  void cleanupTestCase() {
    cluster_.reset();
    zk_.reset();
  }

  void profileWithZkUrlConnectsToTheLeaderAndFollowsAFailover() {
    auto leader = cluster_->waitForLeader(30);
    QVERIFY2(leader.ok(), std::string(leader.status().message()).c_str());
    const QString leaderAddress = QString::fromStdString(cluster_->masterAddress(*leader));

    // The profile editor takes the zk:// URL and opens the credentials.
    QTemporaryDir profiles;
    ConnectDialog dialog(nullptr, ClusterProfileStore(profiles.filePath(QStringLiteral("p.json"))),
                         QStringLiteral("orchestrator-console-test"));
    const orch::client::ClientConfig op = cluster_->operatorConfig();
    dialog.findChild<QLineEdit*>(QStringLiteral("name"))->setText(QStringLiteral("ha"));
    dialog.findChild<QLineEdit*>(QStringLiteral("masters"))->setText(url_);
    dialog.findChild<QLineEdit*>(QStringLiteral("ca"))->setText(QString::fromStdString(op.tls.ca_cert));
    dialog.findChild<QLineEdit*>(QStringLiteral("cert"))->setText(QString::fromStdString(op.tls.cert));
    dialog.findChild<QLineEdit*>(QStringLiteral("key"))->setText(QString::fromStdString(op.tls.key));
    dialog.saveAndAccept();
    QVERIFY2(dialog.result() == QDialog::Accepted, qPrintable(dialog.errorText()));
    QCOMPARE(dialog.profile().masters, url_);

    MainWindow window;
    window.resize(1200, 800);
    window.show();
    const absl::Status connected = window.connectWith(dialog.credentials());
    QVERIFY2(connected.ok(), std::string(connected.message()).c_str());
    // ZooKeeper named both masters, the leader first.
    QCOMPARE(window.connection().resolvedMasters().size(), 2);
    QCOMPARE(window.connection().resolvedMasters().first(), leaderAddress);
    QCOMPARE(window.connection().zooKeeperUrl(), url_);
    QTRY_COMPARE_WITH_TIMEOUT(window.connection().state(), ClusterConnection::State::kConnected, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(window.models().agents().rowCount(), 1, 20000);
    QTRY_VERIFY2_WITH_TIMEOUT(window.masterText().contains(QStringLiteral("Leader ") + leaderAddress) &&
                                  window.masterText().contains(url_),
                              qPrintable(window.masterText()), 10000);

    // The leader dies: the other master takes over and the console follows it.
    cluster_->killMaster(*leader);
    const int other = 1 - *leader;
    const QString otherAddress = QString::fromStdString(cluster_->masterAddress(other));
    QTRY_VERIFY2_WITH_TIMEOUT(window.connection().state() == ClusterConnection::State::kConnected &&
                                  window.masterText().contains(QStringLiteral("Leader ") + otherAddress),
                              qPrintable(window.connectionText() + QStringLiteral(" / ") + window.masterText()),
                              60000);
    QTRY_COMPARE_WITH_TIMEOUT(window.models().agents().rowCount(), 1, 30000);
    window.setConfirmOnClose(false);
  }
};

int main(int argc, char** argv) {
  // The main window's Topology view needs OpenGL (Xvfb + Mesa); without a display: skip.
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("ORCH_CONSOLE_NO_DISPLAY", "1");
  }
  QApplication app(argc, argv);
  ConsoleZkTest test;
  return QTest::qExec(&test, argc, argv);
}
#include "console_zk_test.moc"
