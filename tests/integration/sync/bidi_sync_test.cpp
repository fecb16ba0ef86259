// Integration tests of bidirectional sync on two real 3-member ensembles: changes flow both
// ways without echoes, conflicts are settled by each strategy, audited and alerted on, and the
// manual queue is driven through `zk-migrate conflicts list|resolve` against orch-sync. Baselines
// persisted across an engine restart (deletions, one-sided and two-sided changes made while the
// engine was down), a corrupt or foreign state file, and sequence counters advanced on the side a
// sequential child is copied to.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/sync/sequence_counter.h"
#include "sync/bidi_baseline_store.h"
#include "sync/sync_daemon_state.h"
#include "sync/sync_job.h"
#include "sync/verifier.h"
#include "zk_ensemble.h"
#include "zk_test_client.h"

using namespace std::chrono_literals;
using orch::sync::SyncConfig;
using orch::sync::SyncJob;
using orch::sync::testing::BlockingZk;
using orch::testing::ZkEnsemble;

namespace {

int zkMigrate(const QStringList& args, QString* out = nullptr, QString* err = nullptr) {
  QProcess p;
  p.start(QString(std::getenv("ORCH_BUILD_DIR")) + "/bin/zk-migrate", args);
  if (!p.waitForFinished(120000)) {
    p.kill();
    p.waitForFinished();
    return -1;
  }
  if (out) *out = QString::fromUtf8(p.readAllStandardOutput());
  if (err) *err = QString::fromUtf8(p.readAllStandardError());
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

std::vector<nlohmann::json> readJsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

}  // namespace

class BidiSyncTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<ZkEnsemble> a_, b_;
  std::unique_ptr<BlockingZk> za_, zb_;
  QTemporaryDir tmp_;
  std::string root_;
  int test_no_ = 0;
  orch::metrics::MetricsRegistry registry_;

  SyncConfig config(orch::core::sync::ConflictStrategy strategy = orch::core::sync::ConflictStrategy::kLastWriteWins) {
    SyncConfig c;
    c.source_zk = a_->connectString();
    c.target_zk = b_->connectString();
    c.paths_to_sync = {root_};
    c.session_timeout_ms = 4000;
    c.bidirectional = true;
    c.conflict_resolution = strategy;
    return c;
  }

  std::unique_ptr<SyncJob> startJob(const SyncConfig& c, orch::metrics::MetricsRegistry& reg) {
    auto j = orch::sync::makeSyncJob(c, reg);
    if (!j.ok()) {
      qWarning("%s", j.status().ToString().c_str());
      return nullptr;
    }
    if (auto s = (*j)->start(15s); !s.ok()) {
      qWarning("%s", s.ToString().c_str());
      return nullptr;
    }
    return std::move(*j);
  }

  bool identical(const SyncConfig& c, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto r = orch::sync::verifyEnsembles(c, 60s);
      if (r.ok() && r->diff.identical()) return true;
      if (std::chrono::steady_clock::now() > deadline) {
        if (r.ok()) qWarning("%s", orch::sync::formatVerifyReport(*r, 10).c_str());
        return false;
      }
      std::this_thread::sleep_for(200ms);
    }
  }

  std::string dataOf(BlockingZk& z, const std::string& path) {
    auto g = z.get(path);
    return g.ok() ? g->data : "<" + std::string(g.status().message()) + ">";
  }

 private slots:
  void initTestCase() {
    QVERIFY(std::getenv("ORCH_BUILD_DIR"));
    a_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "bidi-a"});
    b_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "bidi-b"});
    absl::Status sa = a_->start();
    QVERIFY2(sa.ok(), sa.ToString().c_str());
    absl::Status sb = b_->start();
    QVERIFY2(sb.ok(), sb.ToString().c_str());
    za_ = BlockingZk::open(a_->connectString());
    zb_ = BlockingZk::open(b_->connectString());
    QVERIFY(za_ && zb_);
  }
  void init() { root_ = "/bidi" + std::to_string(++test_no_); }
  void cleanupTestCase() {
    auto st = orch::sync::readDaemonState(tmp_.filePath("state").toStdString());
    if (st.ok() && orch::sync::processAlive(st->pid)) kill(st->pid, SIGKILL);
    za_.reset();
    zb_.reset();
    a_.reset();
    b_.reset();
  }

  // Creates, updates and deletes flow both ways; our own writes never come back.
  void changesFlowBothWaysWithoutEchoes() {
    const std::string r = root_;
    QVERIFY(za_->createMany({r, r + "/from-a", r + "/shared"}, "a").ok());
    QVERIFY(zb_->createMany({r, r + "/from-b", r + "/from-b/kid"}, "a").ok());
    QVERIFY(zb_->set(r + "/from-b", "b").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(config(), reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(identical(config()));
    QCOMPARE(dataOf(*za_, r + "/from-b"), std::string("b"));
    auto st = job->status();
    QCOMPARE(st.conflicts, uint64_t(0));
    QVERIFY(st.writes_to_source >= 2);  // from-b and its kid went to A

    // A → B, exactly one write, none back.
    const auto before = job->status();
    QVERIFY(za_->set(r + "/shared", "a2").ok());
    QTRY_COMPARE_WITH_TIMEOUT(dataOf(*zb_, r + "/shared"), std::string("a2"), 20000);
    std::this_thread::sleep_for(1s);  // time for an echo to show if there were one
    auto after = job->status();
    QCOMPARE(after.writes, before.writes + 1);
    QCOMPARE(after.writes_to_source, before.writes_to_source);

    // B → A.
    QVERIFY(zb_->set(r + "/shared", "b3").ok());
    QTRY_COMPARE_WITH_TIMEOUT(dataOf(*za_, r + "/shared"), std::string("b3"), 20000);
    std::this_thread::sleep_for(1s);
    auto after2 = job->status();
    QCOMPARE(after2.writes_to_source, after.writes_to_source + 1);
    QCOMPARE(after2.writes, after.writes);

    // Subtree created on B, node deleted on A, subtree deleted on B.
    QVERIFY(zb_->createMany({r + "/tree", r + "/tree/x", r + "/tree/x/y"}, "t").ok());
    QVERIFY(za_->remove(r + "/from-a").ok());
    QVERIFY(identical(config()));
    QVERIFY(za_->exists(r + "/tree/x/y"));
    QVERIFY(!zb_->exists(r + "/from-a"));
    QVERIFY(zb_->remove(r + "/tree/x/y").ok());
    QVERIFY(zb_->remove(r + "/tree/x").ok());
    QVERIFY(zb_->remove(r + "/tree").ok());
    QVERIFY(identical(config()));
    QVERIFY(!za_->exists(r + "/tree"));
    QCOMPARE(job->status().conflicts, uint64_t(0));
    QVERIFY(job->status().lag_samples > 0);
    job->stop();
  }

  // A subtree removed bottom-up right after it was synced stays removed on both sides: reads of
  // its nodes that race the deletion of an ancestor must not take them for new nodes and copy them
  // back (CI once saw /tree resurrected this way). Repeated, both directions, to give the race room.
  void subtreeRemovedBottomUpStaysRemoved() {
    const std::string r = root_;
    QVERIFY(za_->createMany({r}, "r").ok());
    QVERIFY(zb_->createMany({r}, "r").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(config(), reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    for (int round = 0; round < 8; ++round) {
      BlockingZk& from = round % 2 ? *za_ : *zb_;
      BlockingZk& other = round % 2 ? *zb_ : *za_;
      const std::string t = r + "/t" + std::to_string(round);
      QVERIFY(from.createMany({t, t + "/x", t + "/x/y", t + "/x/y/z"}, "v").ok());
      QTRY_VERIFY_WITH_TIMEOUT(other.exists(t + "/x/y/z"), 20000);
      QVERIFY(from.remove(t + "/x/y/z").ok());
      QVERIFY(from.remove(t + "/x/y").ok());
      QVERIFY(from.remove(t + "/x").ok());
      QVERIFY(from.remove(t).ok());
      // The engine learns of the removals by watch events, which may not have reached it yet:
      // wait for the deletion to arrive on the other side, give the echoes of our own writes
      // time to come back, then check that nothing was recreated on either side.
      QTRY_VERIFY_WITH_TIMEOUT(!other.exists(t), 20000);
      std::this_thread::sleep_for(300ms);
      QVERIFY(job->waitInSync(60s).ok());
      QVERIFY2(!from.exists(t), ("round " + std::to_string(round) + ": " + t + " came back").c_str());
      QVERIFY2(!other.exists(t), ("round " + std::to_string(round) + ": " + t + " came back on the other side").c_str());
    }
    QVERIFY(identical(config()));
    QCOMPARE(job->status().conflicts, uint64_t(0));
    job->stop();
  }

  // Both sides hold different nodes (changed since the last sync — here: never synced):
  // last-write-wins takes the newer mtime, every conflict is audited, the rate alert fires.
  void lastWriteWinsAuditsAndAlerts() {
    const std::string r = root_;
    QVERIFY(za_->createMany({r, r + "/c1", r + "/c2", r + "/c3"}, "old-a").ok());
    std::this_thread::sleep_for(50ms);
    QVERIFY(zb_->createMany({r, r + "/c1", r + "/c2", r + "/c3"}, "new-b").ok());
    QVERIFY(zb_->set(r, "old-a").ok());  // the root itself agrees
    SyncConfig c = config();
    c.audit_log = tmp_.filePath("lww-audit.jsonl").toStdString();
    c.conflict_alert_per_min = 2;
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(identical(c));
    for (const char* n : {"/c1", "/c2", "/c3"}) QCOMPARE(dataOf(*za_, r + n), std::string("new-b"));
    const auto st = job->status();
    QCOMPARE(st.conflicts, uint64_t(3));
    QVERIFY(st.conflict_rate_alert);  // 3 per minute > 2
    const auto lines = readJsonLines(c.audit_log);
    QCOMPARE(lines.size(), size_t(3));
    for (const auto& l : lines) {
      QCOMPARE(l.value("event", ""), std::string("conflict"));
      QCOMPARE(l.value("strategy", ""), std::string("last-write-wins"));
      QCOMPARE(l.value("action", ""), std::string("copy-b-to-a"));
      QVERIFY(l.at("source").at("mtime_ms").get<std::int64_t>() < l.at("target").at("mtime_ms").get<std::int64_t>());
    }
    const std::string metrics = reg.renderPrometheus();
    QVERIFY2(metrics.find("zk_sync_conflicts_total 3") != std::string::npos, metrics.c_str());
    QTRY_VERIFY_WITH_TIMEOUT(reg.renderPrometheus().find("zk_sync_conflict_rate_alert 1") != std::string::npos, 5000);
    job->stop();
  }

  void sourceWins() {
    const std::string r = root_;
    QVERIFY(zb_->createMany({r, r + "/x"}, "b-newer").ok());
    std::this_thread::sleep_for(20ms);
    QVERIFY(za_->createMany({r, r + "/x"}, "a").ok());
    QVERIFY(zb_->set(r + "/x", "b-newest").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(config(orch::core::sync::ConflictStrategy::kSourceWins), reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QCOMPARE(dataOf(*zb_, r + "/x"), std::string("a"));
    QCOMPARE(job->status().conflicts, uint64_t(2));  // the root's data differs too ("a" vs "b-newer")
    job->stop();
  }

  // Both sides written at the same moment: whatever the interleaving, the ensembles converge
  // and stay still (no ping-pong).
  void concurrentWritesConverge() {
    const std::string r = root_;
    std::vector<std::string> paths = {r};
    for (int i = 0; i < 20; ++i) paths.push_back(r + "/k" + std::to_string(i));
    QVERIFY(za_->createMany(paths, "0").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(config(), reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    for (int round = 1; round <= 3; ++round) {
      for (int i = 0; i < 20; ++i) {
        const std::string p = r + "/k" + std::to_string(i);
        za_->client().set(p, "a" + std::to_string(round), -1, [](absl::StatusOr<orch::zk::ZkStat>) {});
        zb_->client().set(p, "b" + std::to_string(round), -1, [](absl::StatusOr<orch::zk::ZkStat>) {});
      }
      std::this_thread::sleep_for(100ms);
    }
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(identical(config()));
    std::this_thread::sleep_for(300ms);
    const auto s1 = job->status();
    std::this_thread::sleep_for(1500ms);
    const auto s2 = job->status();
    QCOMPARE(s2.writes, s1.writes);
    QCOMPARE(s2.writes_to_source, s1.writes_to_source);
    QVERIFY(identical(config()));
    qInfo("concurrent writes: %llu conflicts", static_cast<unsigned long long>(s2.conflicts));
    job->stop();
  }

  // (a) The engine is stopped; meanwhile a node is deleted on A, another changed on B and one
  // created on A. Restarted with the same baseline dir, it propagates all three as such: the
  // deletion is not undone, the change is not a conflict.
  void restartKeepsBaselines() {
    const std::string r = root_;
    SyncConfig c = config();
    c.baseline_dir = tmp_.filePath(QString::fromStdString("baselines" + std::to_string(test_no_))).toStdString();
    QVERIFY(za_->createMany({r, r + "/del-me", r + "/del-me/kid", r + "/changed", r + "/stays"}, "v1").ok());
    {
      orch::metrics::MetricsRegistry reg;
      auto job = startJob(c, reg);
      QVERIFY(job);
      QVERIFY(job->waitInSync(60s).ok());
      QVERIFY(identical(c));
      job->stop();
    }
    const orch::sync::BidiBaselineStore::Identity id{c.source_zk, c.target_zk, c.paths_to_sync};
    QVERIFY(std::filesystem::exists(orch::sync::BidiBaselineStore::logPath(c.baseline_dir, id)));
    QVERIFY(za_->remove(r + "/del-me/kid").ok());
    QVERIFY(za_->remove(r + "/del-me").ok());
    QVERIFY(zb_->set(r + "/changed", "b2").ok());
    QVERIFY(za_->create(r + "/new-on-a", "n").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(identical(c));
    QVERIFY(!zb_->exists(r + "/del-me"));
    QVERIFY(!za_->exists(r + "/del-me"));
    QCOMPARE(dataOf(*za_, r + "/changed"), std::string("b2"));
    QCOMPARE(dataOf(*zb_, r + "/new-on-a"), std::string("n"));
    QCOMPARE(dataOf(*zb_, r + "/stays"), std::string("v1"));
    QCOMPARE(job->status().conflicts, uint64_t(0));
    {
      const auto st = job->status();  // the state file's health is reported
      QCOMPARE(st.baseline_file, orch::sync::BidiBaselineStore::logPath(c.baseline_dir, id));
      QVERIFY(st.baseline_entries >= 4);  // the root, changed, stays, new-on-a
      QVERIFY(!st.baseline_failing);
      QCOMPARE(st.baseline_write_failures, uint64_t(0));
    }
    // A node deleted on both sides meanwhile and created again later is a plain copy.
    job->stop();
    QVERIFY(za_->remove(r + "/stays").ok());
    QVERIFY(zb_->remove(r + "/stays").ok());
    job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(zb_->create(r + "/stays", "again").ok());
    QTRY_COMPARE_WITH_TIMEOUT(dataOf(*za_, r + "/stays"), std::string("again"), 20000);
    QVERIFY(job->waitInSync(60s).ok());
    QCOMPARE(job->status().conflicts, uint64_t(0));
    job->stop();
  }

  // (b) Both sides changed the same node while the engine was down: exactly one conflict,
  // settled by last-write-wins and audited; the baseline dir defaults to the audit log's.
  void bothSidesChangedDuringDowntime() {
    const std::string r = root_;
    SyncConfig c = config();
    const std::string dir = tmp_.filePath(QString::fromStdString("both" + std::to_string(test_no_))).toStdString();
    c.audit_log = dir + "/audit.jsonl";
    QVERIFY(za_->createMany({r, r + "/both", r + "/only-a"}, "v1").ok());
    {
      orch::metrics::MetricsRegistry reg;
      auto job = startJob(c, reg);
      QVERIFY(job);
      QVERIFY(job->waitInSync(60s).ok());
      QCOMPARE(job->status().conflicts, uint64_t(0));
      job->stop();
    }
    const orch::sync::BidiBaselineStore::Identity id{c.source_zk, c.target_zk, c.paths_to_sync};
    QVERIFY(std::filesystem::exists(orch::sync::BidiBaselineStore::snapshotPath(dir, id)));
    QVERIFY(za_->set(r + "/both", "a2").ok());
    QVERIFY(za_->set(r + "/only-a", "a2").ok());
    std::this_thread::sleep_for(50ms);
    QVERIFY(zb_->set(r + "/both", "b2").ok());  // the later write
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(identical(c));
    QCOMPARE(job->status().conflicts, uint64_t(1));
    QCOMPARE(dataOf(*za_, r + "/both"), std::string("b2"));
    QCOMPARE(dataOf(*zb_, r + "/only-a"), std::string("a2"));
    const auto lines = readJsonLines(c.audit_log);
    QCOMPARE(lines.size(), size_t(1));
    QCOMPARE(lines[0].value("path", ""), r + "/both");
    QCOMPARE(lines[0].value("action", ""), std::string("copy-b-to-a"));
    job->stop();
  }

  // A corrupt snapshot never stops the engine: it is moved aside (loud warning) and the engine
  // runs without baselines (first sight). A state file of another pair is refused.
  void corruptOrForeignStateFile() {
    const std::string r = root_;
    SyncConfig c = config();
    c.baseline_dir = tmp_.filePath(QString::fromStdString("corrupt" + std::to_string(test_no_))).toStdString();
    std::filesystem::create_directories(c.baseline_dir);
    const orch::sync::BidiBaselineStore::Identity id{c.source_zk, c.target_zk, c.paths_to_sync};
    const std::string snap = orch::sync::BidiBaselineStore::snapshotPath(c.baseline_dir, id);
    std::ofstream(snap) << "ORCHBSL1 garbage";
    QVERIFY(za_->createMany({r, r + "/x"}, "v").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(identical(c));
    job->stop();
    int moved = 0;
    for (const auto& f : std::filesystem::directory_iterator(c.baseline_dir)) {
      moved += f.path().string().find(".corrupt-") != std::string::npos ? 1 : 0;
    }
    QVERIFY(moved >= 1);
    auto loaded = orch::sync::BidiBaselineStore::load(c.baseline_dir, id);
    QVERIFY2(loaded.ok(), loaded.status().ToString().c_str());
    QVERIFY(loaded->baselines.count(r + "/x"));

    // The same files under the name of another pair: refused with a clear error.
    SyncConfig other = c;
    other.paths_to_sync = {r + "/x"};
    const orch::sync::BidiBaselineStore::Identity oid{other.source_zk, other.target_zk, other.paths_to_sync};
    std::filesystem::copy_file(snap, orch::sync::BidiBaselineStore::snapshotPath(c.baseline_dir, oid));
    auto refused = orch::sync::makeSyncJob(other, reg);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    QVERIFY2(std::string(refused.status().message()).find("was written for") != std::string::npos,
             refused.status().ToString().c_str());
  }

  // (d) Sequential children copied to B advance B's parent counter: a new sequential create on
  // B gets a higher number than every copied child and than A's counter.
  void sequentialCountersAdvance() {
    const std::string r = root_;
    SyncConfig c = config();
    c.baseline_dir = tmp_.filePath(QString::fromStdString("seq" + std::to_string(test_no_))).toStdString();
    QVERIFY(za_->createMany({r, r + "/q"}, "").ok());
    orch::metrics::MetricsRegistry reg;
    auto job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    job->stop();
    // While the engine is down A's counter runs ahead: 6 creates, 4 deletes; 2 children left.
    std::vector<std::string> made;
    for (int i = 0; i < 6; ++i) {
      auto p = za_->create(r + "/q/seq-", "", {}, {orch::zk::NodeKind::kPersistent, true, 0});
      QVERIFY(p.ok());
      made.push_back(*p);
    }
    for (int i = 0; i < 4; ++i) QVERIFY(za_->remove(made[i]).ok());
    auto a_stat = za_->stat(r + "/q");
    QVERIFY(a_stat.ok());
    job = startJob(c, reg);
    QVERIFY(job);
    QVERIFY(job->waitInSync(60s).ok());
    QVERIFY(zb_->exists(made[4]) && zb_->exists(made[5]));
    QVERIFY(!zb_->exists(made[0]));
    // Without the bump B's counter would be 2 (two copied creates): "seq-0000000002". The server
    // counts creates; its stat reports cversion = 2 * creates - children, so A's counter is
    // (cversion + children) / 2 = 6 here.
    const std::int64_t a_counter = (a_stat->cversion + a_stat->num_children) / 2;
    QCOMPARE(a_counter, std::int64_t(6));
    auto fresh = zb_->create(r + "/q/seq-", "", {}, {orch::zk::NodeKind::kPersistent, true, 0});
    QVERIFY(fresh.ok());
    const auto fresh_n = orch::core::sync::sequenceSuffix(*fresh);
    QVERIFY(fresh_n.has_value());
    QVERIFY2(*fresh > made.back(), fresh->c_str());
    QVERIFY2(*fresh_n >= a_counter, fresh->c_str());
    // It reaches A, whose counter is advanced past it in turn.
    QTRY_VERIFY_WITH_TIMEOUT(za_->exists(*fresh), 20000);
    QVERIFY(job->waitInSync(60s).ok());
    auto a_next = za_->create(r + "/q/seq-", "", {}, {orch::zk::NodeKind::kPersistent, true, 0});
    QVERIFY(a_next.ok());
    QVERIFY2(*a_next > *fresh, a_next->c_str());
    QVERIFY(identical(c));
    QCOMPARE(job->status().conflicts, uint64_t(0));
    job->stop();
  }

  // The manual strategy through the daemon and the CLI.
  void manualConflictsThroughCli() {
    const std::string r = root_;
    QVERIFY(za_->createMany({r, r + "/cfg"}, "from-a").ok());
    QVERIFY(zb_->createMany({r, r + "/cfg"}, "from-a").ok());
    QVERIFY(zb_->set(r + "/cfg", "from-b").ok());
    const QString state = tmp_.filePath("state");
    const QString audit = tmp_.filePath("manual-audit.jsonl");
    QString out, err;
    int code = zkMigrate({"sync", "start", "--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                          QString::fromStdString(b_->connectString()), "--path", QString::fromStdString(r), "--mode",
                          "bidirectional", "--conflict-resolution", "manual", "--audit-log", audit, "--state-dir",
                          state},
                         &out, &err);
    QVERIFY2(code == 0, qPrintable(err));
    nlohmann::json list;
    QTRY_VERIFY_WITH_TIMEOUT((zkMigrate({"conflicts", "list", "--json", "--state-dir", state}, &out),
                              list = nlohmann::json::parse(out.toStdString(), nullptr, false),
                              list.is_array() && list.size() == 1),
                             30000);
    QCOMPARE(list[0].at("path").get<std::string>(), r + "/cfg");
    QCOMPARE(list[0].at("source").at("data").get<std::string>(), std::string("from-a"));
    QCOMPARE(list[0].at("target").at("data").get<std::string>(), std::string("from-b"));
    // Held: nothing written on either side, the job reports it.
    QCOMPARE(dataOf(*za_, r + "/cfg"), std::string("from-a"));
    QCOMPARE(dataOf(*zb_, r + "/cfg"), std::string("from-b"));
    QCOMPARE(zkMigrate({"sync", "status", "--json", "--state-dir", state}, &out), 0);
    QCOMPARE(nlohmann::json::parse(out.toStdString()).at("conflicts_held").get<int>(), 1);

    QCOMPARE(zkMigrate({"conflicts", "resolve", "--id", "999", "--winner", "target", "--state-dir", state}, &out, &err), 2);
    QVERIFY2(err.contains("no held conflict"), qPrintable(err));
    const QString id = QString::number(list[0].at("id").get<int>());
    code = zkMigrate({"conflicts", "resolve", "--id", id, "--winner", "target", "--state-dir", state}, &out, &err);
    QVERIFY2(code == 0, qPrintable(err));
    QTRY_COMPARE_WITH_TIMEOUT(dataOf(*za_, r + "/cfg"), std::string("from-b"), 20000);
    QCOMPARE(zkMigrate({"conflicts", "list", "--state-dir", state}, &out), 0);
    QVERIFY2(out.contains("no conflicts held"), qPrintable(out));
    const auto lines = readJsonLines(audit.toStdString());
    QCOMPARE(lines.size(), size_t(2));
    QCOMPARE(lines[0].value("event", ""), std::string("conflict"));
    QCOMPARE(lines[0].value("action", ""), std::string("hold"));
    QCOMPARE(lines[1].value("event", ""), std::string("resolved"));
    QCOMPARE(lines[1].value("winner", ""), std::string("target"));
    QCOMPARE(zkMigrate({"sync", "stop", "--state-dir", state}), 0);
    SyncConfig c = config();
    QVERIFY(identical(c, 5s));
  }
};

QTEST_GUILESS_MAIN(BidiSyncTest)
#include "bidi_sync_test.moc"
