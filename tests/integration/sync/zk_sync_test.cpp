// Integration tests of the sync engine: two real 3-member ensembles (A = source, B = target) on
// loopback. After every scenario `verifyEnsembles` (what `zk-migrate verify` runs) must report
// zero differences.
#include <QtTest/QtTest>

#include <QProcess>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/sync/sequence_counter.h"
#include "sync/sync_engine.h"
#include "sync/verifier.h"
#include "zk_ensemble.h"
#include "zk_test_client.h"

using namespace std::chrono_literals;
using orch::sync::SyncConfig;
using orch::sync::SyncEngine;
using orch::sync::SyncEngineOptions;
using orch::sync::testing::BlockingZk;
using orch::testing::ZkEnsemble;

namespace {

// The case: 100k children under one parent (about a minute here: creating them on A,
// the copy, and verifying both sides). ORCH_SYNC_BIG_CHILDREN=N runs a smaller one.
int bigChildren() {
  const char* v = std::getenv("ORCH_SYNC_BIG_CHILDREN");
  return v ? std::atoi(v) : 100000;
}

}  // namespace

class ZkSyncTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<ZkEnsemble> a_, b_;
  std::unique_ptr<BlockingZk> za_, zb_;
  std::string chroot_;  // each test syncs its own subtree
  int test_no_ = 0;

  SyncConfig config() {
    SyncConfig c;
    c.source_zk = a_->connectString();
    c.target_zk = b_->connectString();
    c.paths_to_sync = {chroot_};
    c.session_timeout_ms = 4000;
    return c;
  }

  std::unique_ptr<SyncEngine> engine(bool continuous, SyncConfig cfg) {
    SyncEngineOptions o;
    o.config = std::move(cfg);
    o.continuous = continuous;
    auto e = SyncEngine::create(o);
    if (!e.ok()) return nullptr;
    return std::move(*e);
  }

  // Polls verify until identical (or timeout); returns the last report.
  orch::sync::VerifyReport verifyEventually(std::chrono::milliseconds timeout, const SyncConfig& cfg) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    orch::sync::VerifyReport last;
    while (true) {
      auto r = orch::sync::verifyEnsembles(cfg, 60s);
      if (r.ok()) {
        last = *r;
        if (r->diff.identical()) return last;
      }
      if (std::chrono::steady_clock::now() > deadline) return last;
      std::this_thread::sleep_for(300ms);
    }
  }

  bool identical(const orch::sync::VerifyReport& r) {
    if (!r.diff.identical()) qWarning("%s", orch::sync::formatVerifyReport(r, 10).c_str());
    return r.diff.identical();
  }

 private slots:
  void initTestCase() {
    a_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "sync-a"});
    b_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "sync-b"});
    absl::Status sa = a_->start();
    QVERIFY2(sa.ok(), sa.ToString().c_str());
    absl::Status sb = b_->start();
    QVERIFY2(sb.ok(), sb.ToString().c_str());
    za_ = BlockingZk::open(a_->connectString());
    zb_ = BlockingZk::open(b_->connectString());
    QVERIFY(za_ && zb_);
  }
  void init() {
    chroot_ = "/t" + std::to_string(++test_no_);
    QVERIFY(za_->create(chroot_).ok());
  }
  void cleanupTestCase() {
    za_.reset();
    zb_.reset();
    a_.reset();
    b_.reset();
  }

  void badConfigChangesNothing() {
    SyncConfig c = config();
    c.target_zk = "127.0.0.1:1";  // nothing listens there
    auto e = engine(false, c);
    QVERIFY(e);
    const absl::Status s = e->start(3s);
    QCOMPARE(s.code(), absl::StatusCode::kUnavailable);
    QVERIFY2(absl::StrContains(s.message(), "target ensemble"), std::string(s.message()).c_str());
    c = config();
    c.paths_to_sync = {"relative/path"};
    QVERIFY(!SyncEngine::create(SyncEngineOptions{c}).ok());
    c = config();
    c.target_zk = c.source_zk;
    auto same = SyncEngine::create(SyncEngineOptions{c});
    QVERIFY(!same.ok());
    QVERIFY(!zb_->exists(chroot_));
  }

  // Snapshot: data, ACLs, binary, unicode, sequential names + counter, ephemerals listed only,
  // a ~1 MB znode and a depth-50 chain.
  void snapshotCopiesExactly() {
    const std::string r = chroot_;
    QVERIFY(za_->create(r + "/app", "config-v1").ok());
    QVERIFY(za_->create(r + "/app/bin", std::string("\x00\xff\x10\x80", 4)).ok());
    QVERIFY(za_->create(r + "/app/ünïcødé-路径", "utf8").ok());
    QVERIFY(za_->create(r + "/app/acl", "guarded",
                        {orch::zk::AclEntry{orch::zk::kPermRead | orch::zk::kPermWrite, "world", "anyone"},
                         orch::zk::AclEntry{orch::zk::kPermAll, "digest", "alice:7p+2bPWtl6W0wAZ3rn4kqv3sYBM="}})
                .ok());
    QVERIFY(za_->create(r + "/locks").ok());
    std::vector<std::string> seq;
    for (int i = 0; i < 5; ++i) {
      auto p = za_->create(r + "/locks/lock-", std::to_string(i), {}, {orch::zk::NodeKind::kPersistent, true, 0});
      QVERIFY(p.ok());
      seq.push_back(*p);
    }
    QVERIFY(za_->remove(seq[0]).ok());
    QVERIFY(za_->remove(seq[1]).ok());  // A's counter is now 7, B would be at 3 after copying 3
    QVERIFY(za_->create(r + "/app/session", "mine", {}, {orch::zk::NodeKind::kEphemeral, false, 0}).ok());
    QVERIFY(za_->create(r + "/big", std::string(1000000, 'x')).ok());
    std::string deep = r + "/deep";
    QVERIFY(za_->create(deep).ok());
    for (int i = 0; i < 49; ++i) {
      deep += "/d" + std::to_string(i);
      QVERIFY(za_->create(deep, std::to_string(i)).ok());
    }
    auto e = engine(false, config());
    QVERIFY(e);
    QVERIFY(e->start().ok());
    const absl::Status s = e->waitInSync(120s);
    QVERIFY2(s.ok(), s.ToString().c_str());
    const auto st = e->status();
    // A snapshot spreads its source reads over several sessions (the default 3): every znode
    // below is checked as copied through whichever session read it.
    QCOMPARE(st.source_read_sessions, 3);
    QCOMPARE(st.ephemerals.size(), size_t(1));
    QCOMPARE(st.ephemerals[0], r + "/app/session");
    e->stop();

    QVERIFY(!zb_->exists(r + "/app/session"));
    auto bin = zb_->get(r + "/app/bin");
    QVERIFY(bin.ok());
    QCOMPARE(bin->data, std::string("\x00\xff\x10\x80", 4));
    auto acl = zb_->acl(r + "/app/acl");
    QVERIFY(acl.ok());
    QCOMPARE(acl->size(), size_t(2));
    auto locks = zb_->children(r + "/locks");
    QVERIFY(locks.ok());
    QCOMPARE(locks->size(), size_t(3));
    // A new sequential node on B may not collide with a copied name, nor reuse A's counters.
    auto fresh = zb_->create(r + "/locks/lock-", "", {}, {orch::zk::NodeKind::kPersistent, true, 0});
    QVERIFY2(fresh.ok(), fresh.status().ToString().c_str());
    QVERIFY2(*fresh > seq.back(), fresh->c_str());
    QVERIFY(zb_->remove(*fresh).ok());
    QVERIFY(identical(verifyEventually(5s, config())));
  }

  void verifyReportsEveryDifference() {
    const std::string r = chroot_;
    QVERIFY(za_->createMany({r + "/x", r + "/y", r + "/z"}, "same").ok());
    QVERIFY(zb_->create(r).ok());
    QVERIFY(zb_->createMany({r + "/x", r + "/y", r + "/extra"}, "same").ok());
    QVERIFY(zb_->set(r + "/y", "changed").ok());
    auto rep = orch::sync::verifyEnsembles(config(), 60s);
    QVERIFY(rep.ok());
    QVERIFY(!rep->diff.identical());
    QCOMPARE(rep->diff.missing, std::vector<std::string>{r + "/z"});
    QCOMPARE(rep->diff.extra, std::vector<std::string>{r + "/extra"});
    QCOMPARE(rep->diff.differing.size(), size_t(1));
    QCOMPARE(rep->diff.differing[0].path, r + "/y");
    QVERIFY(rep->diff.differing[0].data);
    QVERIFY(rep->source_root_digest != rep->target_root_digest);

    // The CLI exits 1 on differences, 0 once a snapshot has repaired them, 2 on a bad config.
    const char* build = std::getenv("ORCH_BUILD_DIR");
    QVERIFY(build);
    const QString bin = QString(build) + "/bin/zk-migrate";
    auto run = [&](QStringList args) {
      QProcess p;
      p.start(bin, args);
      p.waitForFinished(120000);
      return p.exitCode();
    };
    const QStringList common = {"--source-zk", QString::fromStdString(a_->connectString()), "--target-zk",
                                QString::fromStdString(b_->connectString()), "--path", QString::fromStdString(r)};
    QCOMPARE(run(QStringList{"verify"} + common), 1);
    QCOMPARE(run(QStringList{"snapshot", "--read-sessions", "0"} + common), 2);  // out of range
    QCOMPARE(run(QStringList{"verify"} + common), 1);
    QCOMPARE(run(QStringList{"snapshot", "--read-sessions", "2"} + common), 0);
    QCOMPARE(run(QStringList{"verify"} + common), 0);
    QCOMPARE(run(QStringList{"verify", "--source-zk", "nohost:0", "--target-zk", "x:1"}), 2);
    QVERIFY(!zb_->exists(r + "/extra"));
  }

  // Live sync: creates, updates, deletes, whole subtrees, root deleted and recreated.
  void continuousSyncPropagatesEverything() {
    const std::string r = chroot_;
    QVERIFY(za_->create(r + "/keep", "0").ok());
    auto e = engine(true, config());
    QVERIFY(e);
    QVERIFY(e->start().ok());
    QVERIFY(e->waitInSync(60s).ok());
    QTest::qWait(300);  // a late first-connect event would start a second scan by now
    QCOMPARE(e->status().full_syncs, std::uint64_t(1));  // one initial scan, not one per side's connect
    // Reads and watches spread over three source sessions: everything below goes through them.
    QCOMPARE(e->status().source_read_sessions, 3);
    QVERIFY(za_->set(r + "/keep", "1").ok());
    QVERIFY(za_->set(r + "/keep", "2").ok());
    std::vector<std::string> sub = {r + "/sub"};
    for (int i = 0; i < 50; ++i) {
      sub.push_back(r + "/sub/n" + std::to_string(i));
      sub.push_back(r + "/sub/n" + std::to_string(i) + "/leaf");
    }
    QVERIFY(za_->createMany(sub, "v").ok());
    QVERIFY(identical(verifyEventually(30s, config())));
    auto keep = zb_->get(r + "/keep");
    QVERIFY(keep.ok());
    QCOMPARE(keep->data, std::string("2"));
    // Vanishing subtree.
    for (int i = 49; i >= 0; --i) {
      QVERIFY(za_->remove(r + "/sub/n" + std::to_string(i) + "/leaf").ok());
      QVERIFY(za_->remove(r + "/sub/n" + std::to_string(i)).ok());
    }
    QVERIFY(za_->remove(r + "/sub").ok());
    QVERIFY(za_->create(r + "/later", "x").ok());
    QVERIFY(identical(verifyEventually(30s, config())));
    QVERIFY(!zb_->exists(r + "/sub"));
    // The root itself goes away and comes back.
    QVERIFY(za_->remove(r + "/later").ok());
    QVERIFY(za_->remove(r + "/keep").ok());
    QVERIFY(za_->remove(r).ok());
    QTRY_VERIFY_WITH_TIMEOUT(!zb_->exists(r), 30000);
    QVERIFY(za_->create(r, "again").ok());
    QVERIFY(za_->create(r + "/child", "c").ok());
    QVERIFY(identical(verifyEventually(30s, config())));
    const auto st = e->status();
    QVERIFY(st.lag_samples > 0);
    QVERIFY(st.watches > 0);
    e->stop();
  }

  // Nodes deleted and at once re-created (both requests sent back to back, so the parent's
  // next listing may show the same names): their new data reaches B, and so do later changes
  // (their watches were armed anew).
  void recreatedNodesKeepBeingSynced() {
    const std::string r = chroot_;
    std::vector<std::string> nodes;
    for (int i = 0; i < 40; ++i) nodes.push_back(r + "/x" + std::to_string(i));
    QVERIFY(za_->createMany(nodes, "first").ok());
    auto e = engine(true, config());
    QVERIFY(e);
    QVERIFY(e->start().ok());
    QVERIFY(e->waitInSync(60s).ok());
    struct Pending {
      std::mutex mu;
      int left = 0;
      int failed = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = static_cast<int>(nodes.size()) * 2;
    auto settle = [pending](bool ok) {
      std::lock_guard lk(pending->mu);
      --pending->left;
      if (!ok) ++pending->failed;
    };
    for (const auto& p : nodes) {
      za_->client().remove(p, -1, [settle](absl::Status s) { settle(s.ok()); });
      za_->client().create(p, "second", orch::zk::openAcl(), {},
                           [settle](absl::StatusOr<orch::zk::CreateResult> c) { settle(c.ok()); });
    }
    QTRY_VERIFY_WITH_TIMEOUT(([&] { std::lock_guard lk(pending->mu); return pending->left == 0; }()), 30000);
    QCOMPARE(pending->failed, 0);
    QVERIFY(identical(verifyEventually(30s, config())));
    for (const auto& p : nodes) QVERIFY(za_->set(p, "third").ok());
    QVERIFY(identical(verifyEventually(30s, config())));
    for (const auto& p : nodes) {
      auto got = zb_->get(p);
      QVERIFY(got.ok());
      QCOMPARE(got->data, std::string("third"));
    }
    e->stop();
  }

  // A member of B, then of A, is killed mid-sync (quorum kept): sync continues.
  void survivesMemberLoss() {
    const std::string r = chroot_;
    auto e = engine(true, config());
    QVERIFY(e);
    QVERIFY(e->start().ok());
    QVERIFY(e->waitInSync(60s).ok());
    std::vector<std::string> batch;
    for (int i = 0; i < 300; ++i) batch.push_back(r + "/m" + std::to_string(i));
    std::thread writer([&] { (void)za_->createMany(batch, "payload"); });
    b_->kill(b_->leaderIndex() >= 0 ? b_->leaderIndex() : 0);
    writer.join();
    QVERIFY(identical(verifyEventually(60s, config())));
    const int a_victim = a_->leaderIndex() >= 0 ? (a_->leaderIndex() + 1) % 3 : 1;
    a_->kill(a_victim);
    for (int i = 0; i < 100; ++i) QVERIFY(za_->set(r + "/m" + std::to_string(i), "after").ok());
    QVERIFY(identical(verifyEventually(60s, config())));
    QVERIFY(b_->restartAll().ok());
    QVERIFY(a_->restartAll().ok());
    QVERIFY(identical(verifyEventually(60s, config())));
    e->stop();
  }

  // All of B down for a while: sync pauses, then catches up with nothing lost.
  void catchesUpAfterTargetOutage() {
    const std::string r = chroot_;
    QVERIFY(za_->create(r + "/before", "1").ok());
    auto e = engine(true, config());
    QVERIFY(e);
    QVERIFY(e->start().ok());
    QVERIFY(e->waitInSync(60s).ok());
    b_->killAll();
    std::vector<std::string> during;
    for (int i = 0; i < 200; ++i) during.push_back(r + "/during" + std::to_string(i));
    QVERIFY(za_->createMany(during, "d").ok());
    QVERIFY(za_->set(r + "/before", "2").ok());
    QVERIFY(za_->remove(r + "/during0").ok());
    QTRY_VERIFY_WITH_TIMEOUT(e->status().phase == "paused", 20000);
    QVERIFY(b_->restartAll().ok());
    QVERIFY(e->waitInSync(90s).ok());
    QVERIFY(identical(verifyEventually(30s, config())));
    zb_ = BlockingZk::open(b_->connectString());
    QVERIFY(zb_);
    auto before = zb_->get(r + "/before");
    QVERIFY(before.ok());
    QCOMPARE(before->data, std::string("2"));
    e->stop();
  }

  // The engine is killed (stopped mid-snapshot) and restarted: it resumes by rescanning,
  // idempotently (no duplicate children, sequential names unchanged).
  void restartResumesIdempotently() {
    const std::string r = chroot_;
    std::vector<std::string> paths = {r + "/q"};
    for (int i = 0; i < 3000; ++i) paths.push_back(r + "/q/item" + std::to_string(i));
    QVERIFY(za_->createMany(paths, std::string(200, 'p')).ok());
    for (int i = 0; i < 5; ++i) {
      QVERIFY(za_->create(r + "/q/seq-", "", {}, {orch::zk::NodeKind::kPersistent, true, 0}).ok());
    }
    {
      auto e = engine(true, config());
      QVERIFY(e);
      QVERIFY(e->start().ok());
      QTRY_VERIFY_WITH_TIMEOUT(e->status().writes > 200, 60000);
      e->stop();  // mid-snapshot
    }
    auto e2 = engine(true, config());
    QVERIFY(e2);
    QVERIFY(e2->start().ok());
    QVERIFY(e2->waitInSync(120s).ok());
    QVERIFY(identical(verifyEventually(30s, config())));
    auto kids = zb_->children(r + "/q");
    QVERIFY(kids.ok());
    QCOMPARE(kids->size(), size_t(3005));
    e2->stop();
  }

  // A and B hold different children under the same sequential parent before the sync, so their
  // cversions say nothing about their counters (core/sync/sequence_counter.h: counter =
  // (cversion + numChildren) / 2). A: 5 ephemeral lock-* of a live session (listed, not copied),
  // persistent job-0000000005..7, 10 create+delete cycles, job-0000000018: counter 19, cversion 29.
  // B: 6 extra children (the sync deletes them) and 6 create+delete cycles: after the sync and the
  // 4 copies its cversion is 28 but its counter only 16. Comparing cversions (28 vs 29) bumped
  // one pair: B's next names were job-0000000017, then job-0000000018, a copied name.
  void sequenceCounterWithDifferentChildren() {
    const std::string r = chroot_;
    const orch::zk::CreateMode seq{orch::zk::NodeKind::kPersistent, true, 0};
    auto locker = BlockingZk::open(a_->connectString());
    QVERIFY(locker);
    QVERIFY(za_->create(r + "/q").ok());
    QVERIFY(za_->create(r + "/plain").ok());
    QVERIFY(za_->createMany({r + "/plain/a", r + "/plain/b"}, "p").ok());
    for (int i = 0; i < 5; ++i) {
      QVERIFY(locker->create(r + "/q/lock-", "", {}, {orch::zk::NodeKind::kEphemeral, true, 0}).ok());
    }
    std::vector<std::string> jobs;
    for (int i = 0; i < 3; ++i) {
      auto p = za_->create(r + "/q/job-", "j", {}, seq);
      QVERIFY2(p.ok(), p.status().ToString().c_str());
      jobs.push_back(*p);
    }
    for (int i = 0; i < 10; ++i) {
      QVERIFY(za_->create(r + "/q/tmp").ok());
      QVERIFY(za_->remove(r + "/q/tmp").ok());
    }
    auto last = za_->create(r + "/q/job-", "j", {}, seq);
    QVERIFY(last.ok());
    jobs.push_back(*last);
    QCOMPARE(*last, r + "/q/job-0000000018");
    auto a_stat = za_->stat(r + "/q");
    QVERIFY(a_stat.ok());
    const auto a_next = orch::core::sync::nextSequenceNumber(a_stat->cversion, a_stat->num_children);
    QVERIFY(a_next.ok());
    QCOMPARE(*a_next, std::int64_t(19));
    QCOMPARE(a_stat->cversion, 29);

    QVERIFY(zb_->create(r).ok());
    QVERIFY(zb_->create(r + "/q").ok());
    QVERIFY(zb_->create(r + "/plain").ok());
    for (int i = 0; i < 6; ++i) QVERIFY(zb_->create(r + "/q/extra-" + std::to_string(i)).ok());
    for (int i = 0; i < 6; ++i) {
      QVERIFY(zb_->create(r + "/q/old").ok());
      QVERIFY(zb_->remove(r + "/q/old").ok());
    }

    auto sync_once = [&] {
      auto e = engine(false, config());
      QVERIFY(e);
      QVERIFY(e->start().ok());
      const absl::Status s = e->waitInSync(120s);
      QVERIFY2(s.ok(), s.ToString().c_str());
      e->stop();
    };
    sync_once();
    if (QTest::currentTestFailed()) return;
    auto b_kids = zb_->children(r + "/q");
    QVERIFY(b_kids.ok());
    QCOMPARE(b_kids->size(), jobs.size());  // extras deleted, ephemerals not copied
    auto b_stat = zb_->stat(r + "/q");
    QVERIFY(b_stat.ok());
    auto b_next = orch::core::sync::nextSequenceNumber(b_stat->cversion, b_stat->num_children);
    QVERIFY(b_next.ok());
    QCOMPARE(*b_next, *a_next);  // bumped to exactly A's counter (> job-0000000018)
    // A parent without sequential children gets no bump: 2 copies = cversion 2.
    auto plain = zb_->stat(r + "/plain");
    QVERIFY(plain.ok());
    QCOMPARE(plain->cversion, 2);

    // A second sync finds the counter high enough and writes nothing under the parent.
    sync_once();
    if (QTest::currentTestFailed()) return;
    auto b_again = zb_->stat(r + "/q");
    QVERIFY(b_again.ok());
    QCOMPARE(b_again->cversion, b_stat->cversion);
    QCOMPARE(b_again->pzxid, b_stat->pzxid);

    // New sequential creates on B: above every copied name, not below A's counter, and no
    // collision for as many creates as A's counter is ahead of the copies.
    for (int i = 0; i < 3; ++i) {
      auto fresh = zb_->create(r + "/q/job-", "", {}, seq);
      QVERIFY2(fresh.ok(), fresh.status().ToString().c_str());
      const auto n = orch::core::sync::sequenceSuffix(*fresh);
      QVERIFY(n.has_value());
      QVERIFY2(*fresh > jobs.back(), fresh->c_str());
      QVERIFY2(*n >= *a_next, fresh->c_str());
      QCOMPARE(*n, *a_next + i);  // the rule predicted it from B's stat
    }
    // The rule holds on A too: its next create takes the predicted counter.
    auto a_fresh = za_->create(r + "/q/job-", "", {}, seq);
    QVERIFY(a_fresh.ok());
    QCOMPARE(*orch::core::sync::sequenceSuffix(*a_fresh), *a_next);
    locker.reset();
  }

  void wideTreeIsCopied() {
    const std::string r = chroot_;
    const int n = bigChildren();
    std::vector<std::string> paths = {r + "/wide"};
    for (int i = 0; i < n; ++i) paths.push_back(r + "/wide/c" + std::to_string(i));
    QVERIFY(za_->createMany(paths, "w").ok());
    auto e = engine(false, config());
    QVERIFY(e);
    QVERIFY(e->start().ok());
    const absl::Status s = e->waitInSync(240s);
    QVERIFY2(s.ok(), s.ToString().c_str());
    qInfo("copied %d children in %lld ms over %d source sessions", n,
          static_cast<long long>(e->status().last_full_sync_ms), e->status().source_read_sessions);
    e->stop();
    QVERIFY(identical(verifyEventually(30s, config())));
  }
};

QTEST_GUILESS_MAIN(ZkSyncTest)
#include "zk_sync_test.moc"
