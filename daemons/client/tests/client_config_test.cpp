// orchctl's client config: parsing valid and broken files, writing, and resolving with flags.
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>

#include "absl/strings/str_join.h"
#include "client/client_config.h"

using orch::client::ClientConfig;
using orch::client::ClientConfigOverrides;

class ClientConfigTest : public QObject {
  Q_OBJECT

 private slots:
  void parsesValidConfigs_data();
  void parsesValidConfigs();
  void rejectsBrokenConfigs_data();
  void rejectsBrokenConfigs();
  void validatesHostPort_data();
  void validatesHostPort();
  void missingFileIsNotFoundNamingThePath();
  void writeThenLoadRoundTripsWithPrivateMode();
  void defaultPathFollowsXdgThenHome();
  void resolveAppliesOverridesOverTheFile();
  void resolveReportsMissingPieces_data();
  void resolveReportsMissingPieces();

 private:
  QTemporaryDir dir_;
};

void ClientConfigTest::parsesValidConfigs_data() {
  QTest::addColumn<QString>("json");
  QTest::addColumn<QString>("masters");
  QTest::addColumn<QString>("ca");
  QTest::addColumn<QString>("cert");
  QTest::addColumn<QString>("key");

  QTest::newRow("complete") << R"({"master": "127.0.0.1:5050", "ca": "/c/ca.crt", "cert": "/c/op.crt", "key": "/c/op.key"})"
                            << "127.0.0.1:5050" << "/c/ca.crt" << "/c/op.crt" << "/c/op.key";
  QTest::newRow("list of masters") << R"({"master": ["m1:5050", "m2:5050"], "ca": "/a", "cert": "/b", "key": "/c"})"
                                   << "m1:5050,m2:5050" << "/a" << "/b" << "/c";
  QTest::newRow("comma separated") << R"({"master": " m1:5050 , [::1]:6000 ", "ca": "/a", "cert": "/b", "key": "/c"})"
                                   << "m1:5050,[::1]:6000" << "/a" << "/b" << "/c";
  QTest::newRow("relative paths are next to the file")
      << R"({"master": "h:1", "ca": "certs/ca.crt", "cert": "./op.crt", "key": "../k/op.key"})"
      << "h:1" << "/etc/orch/certs/ca.crt" << "/etc/orch/op.crt" << "/etc/k/op.key";
  QTest::newRow("only master (paths from flags later)") << R"({"master": "h:5050"})"
                                                         << "h:5050" << "" << "" << "";
  QTest::newRow("empty object") << "{}" << "" << "" << "" << "";
}

void ClientConfigTest::parsesValidConfigs() {
  QFETCH(QString, json);
  QFETCH(QString, masters);
  QFETCH(QString, ca);
  QFETCH(QString, cert);
  QFETCH(QString, key);
  auto config = orch::client::parseClientConfig(json.toStdString(), "/etc/orch/orchctl.json");
  QVERIFY2(config.ok(), std::string(config.status().message()).c_str());
  QCOMPARE(QString::fromStdString(absl::StrJoin(config->masters, ",")), masters);
  QCOMPARE(QString::fromStdString(config->tls.ca_cert), ca);
  QCOMPARE(QString::fromStdString(config->tls.cert), cert);
  QCOMPARE(QString::fromStdString(config->tls.key), key);
  QCOMPARE(QString::fromStdString(config->source), QString("/etc/orch/orchctl.json"));
}

void ClientConfigTest::rejectsBrokenConfigs_data() {
  QTest::addColumn<QString>("json");
  QTest::addColumn<QString>("expected");

  QTest::newRow("not json") << "{master: 1" << "is not valid JSON";
  QTest::newRow("truncated") << R"({"master": "h:1",)" << "is not valid JSON";
  QTest::newRow("array document") << R"(["h:1"])" << "must hold a JSON object";
  QTest::newRow("typo key") << R"({"mastr": "h:1"})" << "unknown key \"mastr\"";
  QTest::newRow("master number") << R"({"master": 5050})" << "key \"master\" must be a string";
  QTest::newRow("master no port") << R"({"master": "localhost"})" << "has no port";
  QTest::newRow("master bad port") << R"({"master": "h:70000"})" << "invalid port \"70000\"";
  QTest::newRow("master port text") << R"({"master": "h:http"})" << "invalid port \"http\"";
  QTest::newRow("master empty host") << R"({"master": ":5050"})" << "has no host";
  QTest::newRow("master empty string") << R"({"master": ""})" << "no master address";
  QTest::newRow("master empty list") << R"({"master": []})" << "empty list";
  QTest::newRow("master list of numbers") << R"({"master": [1]})" << "must list strings";
  QTest::newRow("unbracketed ipv6") << R"({"master": "::1:5050"})" << "in brackets";
  QTest::newRow("ca not string") << R"({"master": "h:1", "ca": 3})" << "key \"ca\" must be a string";
  QTest::newRow("key null") << R"({"master": "h:1", "key": null})" << "key \"key\" must be a string";
}

void ClientConfigTest::rejectsBrokenConfigs() {
  QFETCH(QString, json);
  QFETCH(QString, expected);
  auto config = orch::client::parseClientConfig(json.toStdString(), "/tmp/x/orchctl.json");
  QVERIFY(!config.ok());
  QCOMPARE(config.status().code(), absl::StatusCode::kInvalidArgument);
  const QString message = QString::fromStdString(std::string(config.status().message()));
  QVERIFY2(message.contains(expected), qPrintable(message));
  QVERIFY2(message.contains("/tmp/x/orchctl.json"), qPrintable(message));
}

void ClientConfigTest::validatesHostPort_data() {
  QTest::addColumn<QString>("address");
  QTest::addColumn<bool>("valid");
  QTest::newRow("ipv4") << "127.0.0.1:5050" << true;
  QTest::newRow("name") << "master.example.com:1" << true;
  QTest::newRow("ipv6") << "[::1]:65535" << true;
  QTest::newRow("port 0") << "h:0" << false;
  QTest::newRow("negative port") << "h:-1" << false;
  QTest::newRow("no colon") << "h" << false;
  QTest::newRow("trailing colon") << "h:" << false;
  QTest::newRow("ipv6 missing port") << "[::1]" << false;
  QTest::newRow("space in host") << "my host:1" << false;
  QTest::newRow("empty") << "" << false;
}

void ClientConfigTest::validatesHostPort() {
  QFETCH(QString, address);
  QFETCH(bool, valid);
  const absl::Status s = orch::client::validateHostPort(address.toStdString());
  QVERIFY2(s.ok() == valid, std::string(s.message()).c_str());
}

void ClientConfigTest::missingFileIsNotFoundNamingThePath() {
  const std::string path = dir_.filePath("nope/orchctl.json").toStdString();
  auto config = orch::client::loadClientConfig(path);
  QVERIFY(!config.ok());
  QCOMPARE(config.status().code(), absl::StatusCode::kNotFound);
  QVERIFY(std::string(config.status().message()).find(path) != std::string::npos);
}

void ClientConfigTest::writeThenLoadRoundTripsWithPrivateMode() {
  ClientConfig config;
  config.masters = {"127.0.0.1:5050"};
  config.tls = {"/certs/ca.crt", "/certs/operator.crt", "/certs/operator.key"};
  const std::string path = dir_.filePath("new/dir/orchctl.json").toStdString();
  const absl::Status written = orch::client::writeClientConfig(path, config);
  QVERIFY2(written.ok(), std::string(written.message()).c_str());

  struct stat st {};
  QCOMPARE(::stat(path.c_str(), &st), 0);
  QCOMPARE(st.st_mode & 0777, 0600u);

  auto loaded = orch::client::loadClientConfig(path);
  QVERIFY2(loaded.ok(), std::string(loaded.status().message()).c_str());
  QCOMPARE(loaded->masters, config.masters);
  QCOMPARE(loaded->tls.ca_cert, config.tls.ca_cert);
  QCOMPARE(loaded->tls.cert, config.tls.cert);
  QCOMPARE(loaded->tls.key, config.tls.key);

  config.masters = {"a:1", "b:2"};
  QVERIFY(orch::client::writeClientConfig(path, config).ok());
  loaded = orch::client::loadClientConfig(path);
  QVERIFY(loaded.ok());
  QCOMPARE(loaded->masters.size(), size_t{2});

  ClientConfig broken = config;
  broken.masters = {"nope"};
  QVERIFY(!orch::client::writeClientConfig(path, broken).ok());
}

void ClientConfigTest::defaultPathFollowsXdgThenHome() {
  const QByteArray old_xdg = qgetenv("XDG_CONFIG_HOME");
  const QByteArray old_home = qgetenv("HOME");
  qputenv("XDG_CONFIG_HOME", "/xdg/conf");
  auto path = orch::client::defaultClientConfigPath();
  QVERIFY(path.ok());
  QCOMPARE(QString::fromStdString(*path), QString("/xdg/conf/orchestrator/orchctl.json"));
  qunsetenv("XDG_CONFIG_HOME");
  qputenv("HOME", "/home/sre");
  path = orch::client::defaultClientConfigPath();
  QVERIFY(path.ok());
  QCOMPARE(QString::fromStdString(*path), QString("/home/sre/.config/orchestrator/orchctl.json"));
  qunsetenv("HOME");
  QVERIFY(!orch::client::defaultClientConfigPath().ok());
  qputenv("HOME", old_home);
  if (!old_xdg.isEmpty()) qputenv("XDG_CONFIG_HOME", old_xdg);
}

void ClientConfigTest::resolveAppliesOverridesOverTheFile() {
  const std::string path = dir_.filePath("resolve/orchctl.json").toStdString();
  ClientConfig config;
  config.masters = {"file:5050"};
  config.tls = {"/f/ca.crt", "/f/op.crt", "/f/op.key"};
  QVERIFY(orch::client::writeClientConfig(path, config).ok());

  ClientConfigOverrides overrides;
  overrides.master = "flag:6000";
  overrides.key = "/flag/op.key";
  auto resolved = orch::client::resolveClientConfig(path, overrides);
  QVERIFY2(resolved.ok(), std::string(resolved.status().message()).c_str());
  QCOMPARE(resolved->masters, std::vector<std::string>{"flag:6000"});
  QCOMPARE(resolved->tls.ca_cert, std::string("/f/ca.crt"));
  QCOMPARE(resolved->tls.key, std::string("/flag/op.key"));

  overrides.master = "flag-without-port";
  resolved = orch::client::resolveClientConfig(path, overrides);
  QVERIFY(!resolved.ok());
  QVERIFY(std::string(resolved.status().message()).starts_with("--master"));
}

void ClientConfigTest::resolveReportsMissingPieces_data() {
  QTest::addColumn<QString>("file_json");  // "" = no file at the default location
  QTest::addColumn<QString>("master");
  QTest::addColumn<QString>("cert");
  QTest::addColumn<QString>("expected");
  QTest::newRow("nothing anywhere") << "" << "" << "" << "scripts/run";
  QTest::newRow("file without master") << R"({"ca": "/a", "cert": "/b", "key": "/c"})" << "" << ""
                                       << "key \"master\"";
  QTest::newRow("file without key") << R"({"master": "h:1", "ca": "/a", "cert": "/b"})" << "" << ""
                                    << "set key \"key\" or pass --key";
  QTest::newRow("flags without ca") << "" << "h:1" << "/b" << "pass --ca";
  QTest::newRow("broken default file") << R"({"master": )" << "h:1" << "" << "is not valid JSON";
}

void ClientConfigTest::resolveReportsMissingPieces() {
  QFETCH(QString, file_json);
  QFETCH(QString, master);
  QFETCH(QString, cert);
  QFETCH(QString, expected);
  QTemporaryDir xdg;
  const QByteArray old_xdg = qgetenv("XDG_CONFIG_HOME");
  qputenv("XDG_CONFIG_HOME", xdg.path().toUtf8());
  if (!file_json.isEmpty()) {
    QDir(xdg.path()).mkpath("orchestrator");
    QFile f(xdg.filePath("orchestrator/orchctl.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(file_json.toUtf8());
  }
  ClientConfigOverrides overrides;
  if (!master.isEmpty()) overrides.master = master.toStdString();
  if (!cert.isEmpty()) overrides.cert = cert.toStdString();
  auto resolved = orch::client::resolveClientConfig(std::nullopt, overrides);
  if (old_xdg.isEmpty()) {
    qunsetenv("XDG_CONFIG_HOME");
  } else {
    qputenv("XDG_CONFIG_HOME", old_xdg);
  }
  QVERIFY(!resolved.ok());
  const QString message = QString::fromStdString(std::string(resolved.status().message()));
  QVERIFY2(message.contains(expected), qPrintable(message));
}

QTEST_APPLESS_MAIN(ClientConfigTest)
#include "client_config_test.moc"
