// The console's command line, cluster profiles and the compiled German translation.
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include "app/console_options.h"
#include "cluster/cluster_profile.h"
#include "cluster/master_endpoints.h"
#include "models/agents_model.h"
#include "models/tasks_model.h"

using namespace orch::console;

class ConsoleOptionsTest : public QObject {
  Q_OBJECT

 private slots:
  void parse_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");  // "" = accepted
    QTest::addColumn<QString>("attach");
    QTest::addColumn<bool>("local");
    QTest::newRow("none") << QStringList{} << "" << "" << false;
    QTest::newRow("attach") << QStringList{"--attach", "127.0.0.1:5050"} << "" << "127.0.0.1:5050" << false;
    QTest::newRow("attach=") << QStringList{"--attach=10.0.0.1:6000"} << "" << "10.0.0.1:6000" << false;
    QTest::newRow("local") << QStringList{"--local", "--keep-cluster"} << "" << "" << true;
    QTest::newRow("bad port") << QStringList{"--attach", "127.0.0.1:99999"} << "--attach:" << "" << false;
    QTest::newRow("no port") << QStringList{"--attach", "localhost"} << "--attach:" << "" << false;
    QTest::newRow("attach zk") << QStringList{"--attach", "zk://127.0.0.1:2181/orch"} << "" << "zk://127.0.0.1:2181/orch"
                               << false;
    QTest::newRow("attach list") << QStringList{"--attach", "h1:5050,h2:5050"} << "" << "h1:5050,h2:5050" << false;
    QTest::newRow("attach bad zk") << QStringList{"--attach", "zk://h:0/orch"} << "--attach:" << "" << false;
    QTest::newRow("both") << QStringList{"--local", "--attach", "h:1"} << "cannot be used together" << "" << false;
    QTest::newRow("unknown") << QStringList{"--bogus"} << "bogus" << "" << false;
    QTest::newRow("positional") << QStringList{"extra"} << "unexpected argument 'extra'" << "" << false;
  }
  void parse() {
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    QFETCH(QString, attach);
    QFETCH(bool, local);
    args.prepend(QStringLiteral("orch-console"));
    const auto parsed = parseConsoleOptions(args);
    if (!error.isEmpty()) {
      QVERIFY(!parsed.ok());
      QVERIFY2(QString::fromStdString(std::string(parsed.status().message())).contains(error),
               std::string(parsed.status().message()).c_str());
      return;
    }
    QVERIFY2(parsed.ok(), std::string(parsed.status().message()).c_str());
    QCOMPARE(parsed->attach.value_or(QString()), attach);
    QCOMPARE(parsed->local, local);
  }

  void attachTakesTlsFromOrchctlConfig() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("orchctl.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"master": "127.0.0.1:5050", "ca": "ca.crt", "cert": "op.crt", "key": "op.key"})");
    f.close();
    ConsoleOptions options;
    options.attach = QStringLiteral("127.0.0.1:6060");
    options.config = path;
    const auto config = attachConfig(options);
    QVERIFY2(config.ok(), std::string(config.status().message()).c_str());
    QCOMPARE(config->masters, std::vector<std::string>{"127.0.0.1:6060"});
    QCOMPARE(QString::fromStdString(config->tls.cert), dir.filePath(QStringLiteral("op.crt")));
  }

  void profilesRoundTripWithoutSecrets() {
    QTemporaryDir dir;
    ClusterProfileStore store(dir.filePath(QStringLiteral("sub/profiles.json")));
    QVERIFY(store.load().ok());
    QVERIFY(store.load()->isEmpty());
    const QList<ClusterProfile> profiles{
        {QStringLiteral("prod"), QStringLiteral("10.0.0.1:5050,10.0.0.2:5050"), QStringLiteral("/c/ca.crt"),
         QStringLiteral("/c/op.crt"), QStringLiteral("/c/op.key")},
        {QStringLiteral("zk"), QStringLiteral("zk://10.0.0.5:2181/orch"), {}, {}, {}}};
    QVERIFY(store.save(profiles).ok());
    QCOMPARE(QFile(store.path()).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());
    const auto loaded = store.load();
    QVERIFY(loaded.ok());
    QCOMPARE(*loaded, profiles);
    const auto config = (*loaded)[0].toClientConfig();
    QVERIFY(config.ok());
    QCOMPARE(config->masters.size(), size_t(2));
    // A zk:// profile keeps its URL as the one master entry; the client resolves it on connect.
    ClusterProfile zkProfile = (*loaded)[1];
    zkProfile.caCert = QStringLiteral("/c/ca.crt");
    zkProfile.cert = QStringLiteral("/c/op.crt");
    zkProfile.key = QStringLiteral("/c/op.key");
    const auto zk = zkProfile.toClientConfig();
    QVERIFY2(zk.ok(), std::string(zk.status().message()).c_str());
    QCOMPARE(zk->masters, std::vector<std::string>{"zk://10.0.0.5:2181/orch"});
    // Without TLS files the profile names what is missing.
    const auto incomplete = (*loaded)[1].toClientConfig();
    QVERIFY(!incomplete.ok());
    QVERIFY(QString::fromStdString(std::string(incomplete.status().message())).contains(QStringLiteral("\"zk\"")));
  }

  // What the profile editor and --attach accept as masters.
  void masterEndpoints_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");  // "" = accepted
    QTest::addColumn<QStringList>("entries");
    QTest::newRow("one") << "127.0.0.1:5050" << "" << QStringList{"127.0.0.1:5050"};
    QTest::newRow("list") << " 10.0.0.1:5050, 10.0.0.2:5050 " << "" << QStringList{"10.0.0.1:5050", "10.0.0.2:5050"};
    QTest::newRow("ipv6") << "[::1]:5050" << "" << QStringList{"[::1]:5050"};
    QTest::newRow("zk") << "zk://10.0.0.5:2181,10.0.0.6:2181/orchestrator" << ""
                        << QStringList{"zk://10.0.0.5:2181,10.0.0.6:2181/orchestrator"};
    QTest::newRow("zk trimmed") << "  zk://h1:2181/orch  " << "" << QStringList{"zk://h1:2181/orch"};
    QTest::newRow("zk default port") << "zk://h1/orch" << "" << QStringList{"zk://h1/orch"};
    QTest::newRow("empty") << "   " << "Enter the masters" << QStringList{};
    QTest::newRow("no port") << "localhost" << "master list is not valid" << QStringList{};
    QTest::newRow("bad port") << "h:70000" << "invalid port" << QStringList{};
    QTest::newRow("one bad of two") << "h:5050, g:x" << "\"g:x\"" << QStringList{};
    QTest::newRow("zk bad port") << "zk://h1:99999/orch" << "ZooKeeper URL is not valid" << QStringList{};
    QTest::newRow("zk no hosts") << "zk:///orch" << "ZooKeeper URL is not valid" << QStringList{};
    QTest::newRow("zk bad path") << "zk://h1:2181/orch/" << "ZooKeeper URL is not valid" << QStringList{};
    QTest::newRow("zk space") << "zk://h1:2181, h2:2181/orch" << "contains a space" << QStringList{};
    QTest::newRow("zk upper case") << "ZK://h1:2181/orch" << "lower-case" << QStringList{};
    QTest::newRow("zk mixed") << "h:5050, zk://h1:2181/orch" << "mixes a zk:// URL" << QStringList{};
    QTest::newRow("two zk") << "zk://h1:2181/a,zk://h2:2181/b" << "mixes a zk:// URL" << QStringList{};
    QTest::newRow("http") << "http://h:5050" << "not supported" << QStringList{};
  }
  void masterEndpoints() {
    QFETCH(QString, text);
    QFETCH(QString, error);
    QFETCH(QStringList, entries);
    const auto parsed = parseMasterEndpoints(text);
    if (!error.isEmpty()) {
      QVERIFY2(!parsed.ok(), qPrintable(text));
      QVERIFY2(QString::fromStdString(std::string(parsed.status().message())).contains(error),
               std::string(parsed.status().message()).c_str());
      // The profile editor reports the same, naming the profile and the field.
      ClusterProfile p{QStringLiteral("prod"), text, QStringLiteral("/c/ca.crt"), QStringLiteral("/c/op.crt"),
                       QStringLiteral("/c/op.key")};
      const auto config = p.toClientConfig();
      QVERIFY(!config.ok());
      QVERIFY2(QString::fromStdString(std::string(config.status().message())).startsWith(QStringLiteral("Profile \"prod\", masters: ")),
               std::string(config.status().message()).c_str());
      return;
    }
    QVERIFY2(parsed.ok(), std::string(parsed.status().message()).c_str());
    QStringList got;
    for (const std::string& e : *parsed) got << QString::fromStdString(e);
    QCOMPARE(got, entries);
    QCOMPARE(isZooKeeperEndpoint(text), text.trimmed().startsWith(QStringLiteral("zk://")));
  }

  void badProfileFileIsAnError() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{ not json");
    f.close();
    const auto loaded = ClusterProfileStore(path).load();
    QVERIFY(!loaded.ok());
    QVERIFY(QString::fromStdString(std::string(loaded.status().message())).contains(path));
  }

  void germanTranslationIsCompiledInAndComplete() {
    QTranslator translator;
    QVERIFY2(translator.load(QStringLiteral(":/i18n/orch_de.qm")), "orch_de.qm is not in the resources");
    QCoreApplication::installTranslator(&translator);
    QCOMPARE(TasksModel::stateText(orchestrator::v1::TASK_RUNNING), QStringLiteral("läuft"));
    QCOMPARE(AgentsModel::stateText(orchestrator::v1::AgentState::DRAINING), QStringLiteral("wird geleert"));
    QCOMPARE(QCoreApplication::translate("orch::console::MainWindow", "&Agents"), QStringLiteral("&Agenten"));
    QCoreApplication::removeTranslator(&translator);
    // Every message in the .ts has a finished translation.
    QFile ts(qEnvironmentVariable("ORCH_SOURCE_DIR") + QStringLiteral("/translations/orch_de.ts"));
    QVERIFY2(ts.open(QIODevice::ReadOnly), qPrintable(ts.fileName()));
    const QByteArray text = ts.readAll();
    QVERIFY(text.count("<message") > 150);
    QCOMPARE(text.count("type=\"unfinished\""), 0);
    QCOMPARE(text.count("<translation></translation>"), 0);
  }
};

QTEST_GUILESS_MAIN(ConsoleOptionsTest)
#include "console_options_test.moc"
