// Integration tests of the orch-sync daemon driven through zk-migrate, as an operator would:
// `zk-migrate sync start|status|stop`, GET /api/v1/sync/status and /metrics, against two real
// 3-member ensembles on loopback.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "sync/sync_daemon_state.h"
#include "zk_ensemble.h"
#include "zk_test_client.h"

using namespace std::chrono_literals;
using orch::sync::testing::BlockingZk;
using orch::testing::ZkEnsemble;

namespace {

struct Run {
  int code = -1;
  QString out;
  QString err;
};

Run zkMigrate(const QStringList& args, int timeout_ms = 120000) {
  QProcess p;
  p.start(QString(std::getenv("ORCH_BUILD_DIR")) + "/bin/zk-migrate", args);
  Run r;
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out";
    return r;
  }
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// GET http://host:port/path; body or "" on failure.
std::string httpGet(const std::string& hostport, const std::string& path, int* status = nullptr) {
  const auto colon = hostport.rfind(':');
  httplib::Client c(hostport.substr(0, colon), std::stoi(hostport.substr(colon + 1)));
  c.set_connection_timeout(5);
  c.set_read_timeout(10);
  auto res = c.Get(path.c_str());
  if (status) *status = res ? res->status : 0;
  return res ? res->body : "";
}

}  // namespace

class OrchSyncDaemonTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<ZkEnsemble> a_, b_;
  std::unique_ptr<BlockingZk> za_, zb_;
  QTemporaryDir tmp_;
  int n_ = 0;

  QString writeConfig(const std::string& body) {
    const QString path = tmp_.filePath(QString("migration-%1.yaml").arg(++n_));
    std::ofstream(path.toStdString()) << body;
    return path;
  }

 private slots:
  void initTestCase() {
    QVERIFY(std::getenv("ORCH_BUILD_DIR"));
    QVERIFY(tmp_.isValid());
    a_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "daemon-a"});
    b_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "daemon-b"});
    absl::Status sa = a_->start();
    QVERIFY2(sa.ok(), sa.ToString().c_str());
    absl::Status sb = b_->start();
    QVERIFY2(sb.ok(), sb.ToString().c_str());
    za_ = BlockingZk::open(a_->connectString());
    zb_ = BlockingZk::open(b_->connectString());
    QVERIFY(za_ && zb_);
  }
  void cleanupTestCase() {
    // A daemon left by a failed test must not outlive the ensembles.
    for (int i = 1; i <= 4; ++i) {
      auto st = orch::sync::readDaemonState(tmp_.filePath(QString("state%1").arg(i)).toStdString());
      if (st.ok() && orch::sync::processAlive(st->pid)) kill(st->pid, SIGKILL);
    }
    za_.reset();
    zb_.reset();
    a_.reset();
    b_.reset();
  }

  // Bad config or an unreachable ensemble: a clear error, non-zero exit, nothing on the target,
  // no daemon left behind.
  void startRefusesBadConfigAndUnreachableEnsembles() {
    const QString state = tmp_.filePath("state1");
    QVERIFY(za_->create("/bad", "x").ok());
    const QString typo = writeConfig("migration:\n  sync:\n    paths_to_snyc: [\"/bad\"]\n");
    Run r = zkMigrate({"sync", "start", "--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                       QString::fromStdString(b_->connectString()), "--config", typo, "--state-dir", state});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("paths_to_snyc") && r.err.contains("unknown key"), qPrintable(r.err));

    r = zkMigrate({"sync", "start", "--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                   "127.0.0.1:1", "--path", "/bad", "--state-dir", state, "--timeout-sec", "3"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("target ensemble") && r.err.contains("127.0.0.1:1"), qPrintable(r.err));
    QVERIFY(!QFile::exists(state + "/orch-sync.json"));
    QVERIFY(!zb_->exists("/bad"));

    r = zkMigrate({"sync", "status", "--state-dir", state});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("no orch-sync is running"), qPrintable(r.err));
  }

  // The whole operator loop: start, watch it sync over REST and /metrics, status over gRPC,
  // verify, stop.
  void daemonSyncsServesStatusAndStops() {
    const QString state = tmp_.filePath("state2");
    std::vector<std::string> paths = {"/svc"};
    for (int i = 0; i < 200; ++i) paths.push_back("/svc/n" + std::to_string(i));
    QVERIFY(za_->createMany(paths, "v1").ok());
    const QString cfg = writeConfig(
        "migration:\n  name: \"daemon-test\"\n  source:\n    zookeeper: \"" + a_->connectString() +
        "\"\n    mesos_masters: [\"127.0.0.1:5050\"]\n  target:\n    zookeeper: \"" + b_->connectString() +
        "\"\n  sync:\n    lag_threshold_ms: 100\n    conflict_resolution: \"last-write-wins\"\n"
        "    paths_to_sync: [\"/svc\"]\n  orchestration:\n    require_manual_approval: true\n");
    Run r = zkMigrate({"sync", "start", "--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                       QString::fromStdString(b_->connectString()), "--config", cfg, "--state-dir", state, "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    const auto started = nlohmann::json::parse(r.out.toStdString());
    const std::string http = started.at("http");
    const int pid = started.at("pid");
    QVERIFY(orch::sync::processAlive(pid));

    // Second start for the same state dir is refused.
    Run again = zkMigrate({"sync", "start", "--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                           QString::fromStdString(b_->connectString()), "--config", cfg, "--state-dir", state});
    QCOMPARE(again.code, 2);
    QVERIFY2(again.err.contains("already runs"), qPrintable(again.err));

    nlohmann::json st;
    QTRY_VERIFY_WITH_TIMEOUT((st = nlohmann::json::parse(httpGet(http, "/api/v1/sync/status"), nullptr, false),
                              st.is_object() && st.value("in_sync", false)),
                             60000);
    QCOMPARE(st.at("znodes").get<int>(), 201);
    QCOMPARE(st.at("name").get<std::string>(), std::string("daemon-test"));
    QCOMPARE(st.at("mode").get<std::string>(), std::string("one-way"));

    // Live changes propagate; lag is observed.
    QVERIFY(za_->set("/svc/n7", "v2").ok());
    QVERIFY(za_->create("/svc/new", "fresh").ok());
    QTRY_VERIFY_WITH_TIMEOUT(zb_->exists("/svc/new"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(zb_->get("/svc/n7").ok() && zb_->get("/svc/n7")->data == "v2", 30000);

    int code = 0;
    const std::string metrics = httpGet(http, "/metrics", &code);
    QCOMPARE(code, 200);
    for (const char* series : {"zk_sync_lag_ms_bucket", "zk_sync_znodes_synced_total", "zk_sync_bytes_total",
                               "zk_sync_conflicts_total", "zk_sync_errors_total", "zk_sync_watches",
                               "zk_sync_conflict_rate_alert"}) {
      QVERIFY2(metrics.find(series) != std::string::npos, series);
    }
    QVERIFY2(metrics.find("zk_sync_znodes_synced_total 0") == std::string::npos, metrics.c_str());
    QCOMPARE(nlohmann::json::parse(httpGet(http, "/health", &code)).value("status", ""), std::string("ok"));

    r = zkMigrate({"sync", "status", "--state-dir", state, "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto gs = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(gs.at("name").get<std::string>(), std::string("daemon-test"));
    QVERIFY(gs.at("lag_samples").get<int>() > 0);
    r = zkMigrate({"sync", "status", "--state-dir", state});
    QVERIFY2(r.code == 0 && r.out.contains("phase"), qPrintable(r.out + r.err));

    r = zkMigrate({"verify", "--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                   QString::fromStdString(b_->connectString()), "--path", "/svc"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));

    r = zkMigrate({"conflicts", "list", "--state-dir", state});
    QVERIFY2(r.code == 0 && r.out.contains("no conflicts"), qPrintable(r.out + r.err));

    r = zkMigrate({"sync", "stop", "--state-dir", state});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(!orch::sync::processAlive(pid));
    QVERIFY(!QFile::exists(state + "/orch-sync.json"));
    // Stopped: no more copying.
    QVERIFY(za_->create("/svc/after-stop", "x").ok());
    std::this_thread::sleep_for(500ms);
    QVERIFY(!zb_->exists("/svc/after-stop"));
  }
};

QTEST_GUILESS_MAIN(OrchSyncDaemonTest)
#include "orch_sync_daemon_test.moc"
