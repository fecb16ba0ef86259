// The first-run "Start a local cluster": LocalClusterLauncher makes the CA and certificates in a
// fresh data dir, starts the real orch-master and orch-agent from the build's bin dir, the console
// connection sees the agent register, and stop() leaves no process behind.
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

#include "cluster/cluster_connection.h"
#include "cluster/local_cluster_launcher.h"
#include "models/cluster_models.h"

using namespace orch::console;

class ConsoleLocalClusterTest : public QObject {
  Q_OBJECT

 private slots:
  void startsConnectsAndStops() {
    const QString bin = qEnvironmentVariable("ORCH_BUILD_DIR") + QStringLiteral("/bin");
    if (!QFileInfo(bin + QStringLiteral("/orch-master")).isExecutable()) {
      QSKIP("orch-master is not built in $ORCH_BUILD_DIR/bin");
    }
    QTemporaryDir data;
    LocalClusterLauncher launcher;
    LocalClusterLauncher::Options options;
    options.dataDir = data.path();
    options.binDir = bin;
    options.masterPort = 0;  // free ports: never collide with a cluster already on 5050
    options.agentPort = 0;
    auto config = launcher.start(options);
    QVERIFY2(config.ok(), std::string(config.status().message()).c_str());
    QVERIFY(launcher.running());
    for (const char* f : {"ca.crt", "ca.key", "master.crt", "agent.key", "operator.crt", "operator.key"}) {
      QVERIFY2(QFileInfo::exists(data.filePath(QStringLiteral("certs/") + QLatin1String(f))), f);
    }
    QCOMPARE(QFileInfo(data.filePath(QStringLiteral("certs/operator.key"))).permissions() & QFileDevice::ReadOther,
             QFileDevice::Permissions());

    ClusterModels models;
    ClusterConnection connection(models);
    QVERIFY(connection.connectTo(*config).ok());
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ClusterConnection::State::kConnected, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(models.agents().rowCount(), 1, 20000);
    connection.disconnectFromCluster();

    // A second start on the same data dir reuses the CA instead of failing.
    const QByteArray ca = [&] {
      QFile f(data.filePath(QStringLiteral("certs/ca.crt")));
      return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    launcher.stop();
    QVERIFY(!launcher.running());
    // The master is gone: its port can be bound again.
    const int port = QString::fromStdString(config->masters.front()).section(QLatin1Char(':'), -1).toInt();
    QTRY_VERIFY_WITH_TIMEOUT(LocalClusterLauncher::portFree(port), 5000);
    auto again = launcher.start(options);
    QVERIFY2(again.ok(), std::string(again.status().message()).c_str());
    QFile f(data.filePath(QStringLiteral("certs/ca.crt")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), ca);
    launcher.stop();
  }

  void missingBinariesAreNamed() {
    QTemporaryDir data;
    LocalClusterLauncher launcher;
    LocalClusterLauncher::Options options;
    options.dataDir = data.path();
    options.binDir = data.filePath(QStringLiteral("nowhere"));
    options.masterPort = 0;
    options.agentPort = 0;
    auto config = launcher.start(options);
    QVERIFY(!config.ok());
    QVERIFY2(QString::fromStdString(std::string(config.status().message())).contains(QStringLiteral("orch-master")),
             std::string(config.status().message()).c_str());
    QVERIFY(!launcher.running());
  }
};

QTEST_GUILESS_MAIN(ConsoleLocalClusterTest)
#include "console_local_cluster_test.moc"
