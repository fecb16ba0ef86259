// Integration tests of orch::zk::ZkClient against a real 3-member ZooKeeper ensemble.
#include <QtTest/QtTest>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "common/zk/zk_status.h"
#include "zk_await.h"
#include "zk_ensemble.h"

using namespace orch::zk;
using orch::testing::ZkEnsemble;
using orch::zk::testing::await;
using orch::zk::testing::awaitMulti;
using namespace std::chrono_literals;

namespace {

// Collects session events delivered on the loop.
struct SessionLog {
  std::mutex mu;
  std::vector<SessionEvent> events;
  void clear() {
    std::lock_guard lk(mu);
    events.clear();
  }
  void add(const SessionEvent& e) {
    std::lock_guard lk(mu);
    events.push_back(e);
  }
  std::vector<std::uint64_t> connections() {
    std::lock_guard lk(mu);
    std::vector<std::uint64_t> out;
    for (const auto& e : events) {
      if (e.state == SessionState::kConnected) out.push_back(e.connection);
    }
    return out;
  }
  bool waitFor(SessionState s, bool new_session_required, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lk(mu);
        for (const auto& e : events) {
          if (e.state == s && (!new_session_required || e.new_session)) return true;
        }
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

}  // namespace

class ZkClientTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<ZkEnsemble> zk_;
  std::unique_ptr<EventLoop> loop_;

  std::unique_ptr<ZkClient> client(const std::string& connect, std::vector<AuthInfo> auth = {},
                                   int session_ms = 4000) {
    ZkClientOptions o;
    o.connect = connect;
    o.session_timeout_ms = session_ms;
    o.auth = std::move(auth);
    auto c = ZkClient::create(o, loop_->executor());
    if (!c.ok()) return nullptr;
    if (!(*c)->connect(30s).ok()) return nullptr;
    return std::move(*c);
  }

  absl::Status mk(ZkClient& c, const std::string& path, const std::string& data = "", AclList acl = {},
                  CreateMode mode = {}) {
    auto r = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { c.create(path, data, std::move(acl), mode, cb); });
    return r.status();
  }

 private slots:
  void initTestCase() {
    loop_ = std::make_unique<EventLoop>("test-loop");
    zk_ = std::make_unique<ZkEnsemble>(ZkEnsemble::Options{.members = 3, .name = "zkclient"});
    const absl::Status s = zk_->start();
    QVERIFY2(s.ok(), s.ToString().c_str());
  }
  void cleanupTestCase() {
    zk_.reset();
    loop_.reset();
  }

  void rejectsBadOptions() {
    ZkClientOptions o;
    o.connect = "";
    QVERIFY(!ZkClient::create(o, loop_->executor()).ok());
    o.connect = "127.0.0.1:2181";
    o.session_timeout_ms = 10;
    QVERIFY(!ZkClient::create(o, loop_->executor()).ok());
    o.session_timeout_ms = 4000;
    o.auth = {AuthInfo{"digest", "no-colon"}};
    auto bad = ZkClient::create(o, loop_->executor());
    QVERIFY(!bad.ok());
    QVERIFY(absl::StrContains(bad.status().message(), "user:password"));
  }

  void unreachableEnsembleTimesOut() {
    auto port = orch::testing::pickFreePort();
    QVERIFY(port.ok());
    ZkClientOptions o;
    o.connect = "127.0.0.1:" + std::to_string(*port);
    auto c = ZkClient::create(o, loop_->executor());
    QVERIFY(c.ok());
    const absl::Status s = (*c)->connect(1500ms);
    QCOMPARE(s.code(), absl::StatusCode::kDeadlineExceeded);
    QVERIFY(absl::StrContains(s.message(), o.connect));
  }

  void crudCompletesOnExecutor() {
    auto c = client(zk_->connectString());
    QVERIFY(c);
    std::thread::id loop_thread;
    loop_->runSync([&] { loop_thread = std::this_thread::get_id(); });

    std::thread::id ran_on;
    auto cr = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { c->create("/crud", "v1", {}, {}, cb); }, &ran_on);
    QVERIFY2(cr.ok(), cr.status().ToString().c_str());
    QCOMPARE(cr->path, std::string("/crud"));
    QVERIFY(ran_on == loop_thread);

    auto g = await<absl::StatusOr<GetResult>>([&](auto cb) { c->get("/crud", nullptr, cb); });
    QVERIFY(g.ok());
    QCOMPARE(g->data, std::string("v1"));
    QCOMPARE(g->stat.version, 0);

    auto st = await<absl::StatusOr<ZkStat>>([&](auto cb) { c->set("/crud", "v2", 0, cb); });
    QVERIFY(st.ok());
    QCOMPARE(st->version, 1);
    auto bad = await<absl::StatusOr<ZkStat>>([&](auto cb) { c->set("/crud", "v3", 0, cb); });
    QCOMPARE(bad.status().code(), absl::StatusCode::kAborted);

    QVERIFY(mk(*c, "/crud/a").ok());
    QVERIFY(mk(*c, "/crud/b").ok());
    QVERIFY(isNodeExists(mk(*c, "/crud/a")));
    QVERIFY(isNoNode(mk(*c, "/missing/child")));
    auto ch = await<absl::StatusOr<ChildrenResult>>([&](auto cb) { c->getChildren("/crud", nullptr, cb); });
    QVERIFY(ch.ok());
    QCOMPARE(ch->children.size(), size_t(2));

    auto notEmpty = await<absl::Status>([&](auto cb) { c->remove("/crud", -1, cb); });
    QVERIFY(isNotEmpty(notEmpty));
    QVERIFY(await<absl::Status>([&](auto cb) { c->remove("/crud/a", -1, cb); }).ok());
    auto ex = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) { c->exists("/crud/a", nullptr, cb); });
    QVERIFY(ex.ok());
    QVERIFY(!ex->has_value());

    // Binary data survives, including NUL bytes.
    std::string bin("\x00\x01\xff\x7f", 4);
    QVERIFY(mk(*c, "/bin", bin).ok());
    auto gb = await<absl::StatusOr<GetResult>>([&](auto cb) { c->get("/bin", nullptr, cb); });
    QVERIFY(gb.ok());
    QCOMPARE(gb->data, bin);
  }

  void watchesFireOnceOnExecutor() {
    auto c = client(zk_->connectString());
    QVERIFY(c);
    QVERIFY(mk(*c, "/w", "0").ok());
    std::atomic<int> data_fired{0}, child_fired{0};
    std::atomic<bool> last_was_changed{false};
    auto g = await<absl::StatusOr<GetResult>>([&](auto cb) {
      c->get("/w", [&](const WatchEvent& e) {
        last_was_changed = e.type == WatchEvent::Type::kChanged && e.path == "/w";
        ++data_fired;
      }, cb);
    });
    QVERIFY(g.ok());
    auto ch = await<absl::StatusOr<ChildrenResult>>(
        [&](auto cb) { c->getChildren("/w", [&](const WatchEvent&) { ++child_fired; }, cb); });
    QVERIFY(ch.ok());
    QCOMPARE(c->activeWatches(), 2);
    QVERIFY(await<absl::StatusOr<ZkStat>>([&](auto cb) { c->set("/w", "1", -1, cb); }).ok());
    QVERIFY(await<absl::StatusOr<ZkStat>>([&](auto cb) { c->set("/w", "2", -1, cb); }).ok());
    QVERIFY(mk(*c, "/w/kid").ok());
    QTRY_COMPARE_WITH_TIMEOUT(data_fired.load(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(child_fired.load(), 1, 10000);
    QVERIFY(last_was_changed);
    QTest::qWait(300);
    QCOMPARE(data_fired.load(), 1);  // one-shot
    QCOMPARE(c->activeWatches(), 0);
    // A failed get registers no watch.
    auto miss = await<absl::StatusOr<GetResult>>([&](auto cb) { c->get("/nope", [](const WatchEvent&) {}, cb); });
    QVERIFY(isNoNode(miss.status()));
    QCOMPARE(c->activeWatches(), 0);
    // exists on a missing node does register one and fires on create.
    std::atomic<int> created{0};
    auto ex = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) {
      c->exists("/w-later", [&](const WatchEvent& e) { if (e.type == WatchEvent::Type::kCreated) ++created; }, cb);
    });
    QVERIFY(ex.ok());
    QCOMPARE(c->activeWatches(), 1);
    QVERIFY(mk(*c, "/w-later").ok());
    QTRY_COMPARE_WITH_TIMEOUT(created.load(), 1, 10000);
  }

  void digestAuthAndAcls() {
    auto owner = client(zk_->connectString(), {AuthInfo{"digest", "alice:secret"}});
    QVERIFY(owner);
    QVERIFY(mk(*owner, "/private", "hidden", creatorAllAcl()).ok());
    auto acl = await<absl::StatusOr<AclResult>>([&](auto cb) { owner->getAcl("/private", cb); });
    QVERIFY(acl.ok());
    QCOMPARE(acl->acl.size(), size_t(1));
    QCOMPARE(acl->acl[0].scheme, std::string("digest"));
    QVERIFY(absl::StartsWith(acl->acl[0].id, "alice:"));
    QCOMPARE(acl->acl[0].perms, kPermAll);

    auto anon = client(zk_->connectString());
    QVERIFY(anon);
    auto denied = await<absl::StatusOr<GetResult>>([&](auto cb) { anon->get("/private", nullptr, cb); });
    QCOMPARE(denied.status().code(), absl::StatusCode::kPermissionDenied);
    auto wrong = client(zk_->connectString(), {AuthInfo{"digest", "alice:wrong"}});
    QVERIFY(wrong);
    denied = await<absl::StatusOr<GetResult>>([&](auto cb) { wrong->get("/private", nullptr, cb); });
    QCOMPARE(denied.status().code(), absl::StatusCode::kPermissionDenied);
    auto ok = await<absl::StatusOr<GetResult>>([&](auto cb) { owner->get("/private", nullptr, cb); });
    QVERIFY(ok.ok());
    QCOMPARE(ok->data, std::string("hidden"));

    // setAcl opens it up to read-only for everyone.
    AclList open_read = {AclEntry{kPermRead, "world", "anyone"}, acl->acl[0]};
    QVERIFY(await<absl::Status>([&](auto cb) { owner->setAcl("/private", -1, open_read, cb); }).ok());
    auto now_ok = await<absl::StatusOr<GetResult>>([&](auto cb) { anon->get("/private", nullptr, cb); });
    QVERIFY(now_ok.ok());
    auto no_write = await<absl::StatusOr<ZkStat>>([&](auto cb) { anon->set("/private", "x", -1, cb); });
    QCOMPARE(no_write.status().code(), absl::StatusCode::kPermissionDenied);
  }

  void chrootScopesPaths() {
    auto root = client(zk_->connectString());
    QVERIFY(root);
    QVERIFY(mk(*root, "/tenant").ok());
    auto scoped = client("zk://" + zk_->connectString() + "/tenant");
    QVERIFY(scoped);
    QCOMPARE(scoped->chroot(), std::string("/tenant"));
    QVERIFY(mk(*scoped, "/app", "x").ok());
    auto seq = await<absl::StatusOr<CreateResult>>([&](auto cb) {
      scoped->create("/app/lock-", "", {}, CreateMode{NodeKind::kPersistent, true, 0}, cb);
    });
    QVERIFY(seq.ok());
    QVERIFY2(absl::StartsWith(seq->path, "/app/lock-00000000"), seq->path.c_str());
    auto seen = await<absl::StatusOr<GetResult>>([&](auto cb) { root->get("/tenant/app", nullptr, cb); });
    QVERIFY(seen.ok());
    QCOMPARE(seen->data, std::string("x"));
    std::atomic<bool> right_path{false};
    auto g = await<absl::StatusOr<GetResult>>([&](auto cb) {
      scoped->get("/app", [&](const WatchEvent& e) { right_path = e.path == "/app"; }, cb);
    });
    QVERIFY(g.ok());
    QVERIFY(await<absl::StatusOr<ZkStat>>([&](auto cb) { root->set("/tenant/app", "y", -1, cb); }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(right_path.load(), 10000);
  }

  void multiIsAtomic() {
    auto c = client(zk_->connectString());
    QVERIFY(c);
    MultiResult ok = awaitMulti(*c, {ZkOp::create("/m", "p", {}), ZkOp::create("/m/a", "1", {}),
                                     ZkOp::set("/m", "p2"), ZkOp::check("/m", 1),
                                     ZkOp::create("/m/s-", "", {}, CreateMode{NodeKind::kPersistent, true, 0})});
    QVERIFY2(ok.status.ok(), ok.status.ToString().c_str());
    QCOMPARE(ok.results.size(), size_t(5));
    QCOMPARE(ok.results[1].created_path, std::string("/m/a"));
    QVERIFY(ok.results[2].stat.has_value());
    QCOMPARE(ok.results[2].stat->version, 1);
    QVERIFY(absl::StartsWith(ok.results[4].created_path, "/m/s-"));

    MultiResult bad = awaitMulti(*c, {ZkOp::create("/m/b", "1", {}), ZkOp::create("/m/a", "dup", {})});
    QVERIFY(!bad.status.ok());
    QCOMPARE(bad.results.size(), size_t(2));
    QVERIFY(isNodeExists(bad.results[1].status));
    auto b = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) { c->exists("/m/b", nullptr, cb); });
    QVERIFY(b.ok());
    QVERIFY(!b->has_value());  // rolled back
    QVERIFY(awaitMulti(*c, {}).status.ok());
  }

  void containerAndTtlNodes() {
    auto c = client(zk_->connectString());
    QVERIFY(c);
    auto cont = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { c->create("/cont", "", {}, CreateMode{NodeKind::kContainer, false, 0}, cb); });
    QVERIFY2(cont.ok(), cont.status().ToString().c_str());
    auto cst = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) { c->exists("/cont", nullptr, cb); });
    QVERIFY(cst.ok() && cst->has_value());
    // The server masks container/TTL markers out of client-visible stats (DataNode.copyStat):
    // a client cannot tell them from persistent nodes. The sync engine relies on config hints.
    QCOMPARE((*cst)->ephemeral_owner, std::int64_t(0));
    auto ttl = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { c->create("/ttl", "t", {}, CreateMode{NodeKind::kTtl, false, 600000}, cb); });
    QVERIFY2(ttl.ok(), ttl.status().ToString().c_str());
    auto tst = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) { c->exists("/ttl", nullptr, cb); });
    QVERIFY(tst.ok() && tst->has_value());
    QCOMPARE((*tst)->ephemeral_owner, std::int64_t(0));
    // A TTL without extended types or with a bad TTL is refused, not silently made persistent.
    auto bad = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { c->create("/ttl-bad", "t", {}, CreateMode{NodeKind::kTtl, false, 0}, cb); });
    QVERIFY(!bad.ok());
  }

  void ephemeralBelongsToSession() {
    auto owner = client(zk_->connectString());
    QVERIFY(owner);
    auto e = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { owner->create("/eph", "", {}, CreateMode{NodeKind::kEphemeral, false, 0}, cb); });
    QVERIFY(e.ok());
    QCOMPARE(e->stat->ephemeral_owner, owner->sessionId());
    owner->close();
    QCOMPARE(owner->state(), SessionState::kClosed);
    auto after = await<absl::StatusOr<GetResult>>([&](auto cb) { owner->get("/eph", nullptr, cb); });
    QCOMPARE(after.status().code(), absl::StatusCode::kUnavailable);
    auto other = client(zk_->connectString());
    auto gone = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) { other->exists("/eph", nullptr, cb); });
    QVERIFY(gone.ok());
    QVERIFY(!gone->has_value());
  }

  // The client is pinned to member 2; killing it suspends the session, restarting reconnects the
  // same session, and a read issued meanwhile is retried until it succeeds.
  void suspendAndResumeWithRetry() {
    auto logp = std::make_shared<SessionLog>();
    SessionLog& log = *logp;
    ZkClientOptions o;
    o.connect = "127.0.0.1:" + std::to_string(zk_->clientPort(2));
    o.session_timeout_ms = 8000;
    o.retry.max_attempts = 100;
    o.retry.max_backoff = 300ms;
    auto made = ZkClient::create(o, loop_->executor());
    QVERIFY(made.ok());
    auto& c = *made;
    c->setSessionListener([logp](const SessionEvent& e) { logp->add(e); });
    QVERIFY(c->connect(30s).ok());
    QVERIFY(mk(*c, "/retry", "r").ok());
    const auto sid = c->sessionId();
    zk_->kill(2);
    QVERIFY(log.waitFor(SessionState::kSuspended, false, 10s));
    auto p = std::make_shared<std::promise<absl::StatusOr<GetResult>>>();
    auto f = p->get_future();
    c->get("/retry", nullptr, [p](absl::StatusOr<GetResult> r) { p->set_value(std::move(r)); });
    QTest::qWait(1000);
    QVERIFY(zk_->restart(2).ok());
    QVERIFY(zk_->waitQuorum().ok());
    QVERIFY(f.wait_for(30s) == std::future_status::ready);
    auto r = f.get();
    QVERIFY2(r.ok(), r.status().ToString().c_str());
    QCOMPARE(r->data, std::string("r"));
    QCOMPARE(c->sessionId(), sid);
    QCOMPARE(c->state(), SessionState::kConnected);
    // Connections are numbered: the first one is 1, the reconnect after the kill a later one
    // (what the sync engines use to tell a late first-connect event from a reconnect).
    QTRY_VERIFY_WITH_TIMEOUT(log.connections().size() >= 2, 10000);
    const auto numbers = log.connections();
    QCOMPARE(numbers.front(), std::uint64_t(1));
    QVERIFY(numbers.back() > 1);
    QCOMPARE(c->connections(), numbers.back());
  }

  // Pinned to member 1, killed for longer than the session timeout: the quorum expires the
  // session; on reconnect the client reports kExpired and renews into a fresh session.
  void expiredSessionIsRenewed() {
    auto logp = std::make_shared<SessionLog>();
    SessionLog& log = *logp;
    ZkClientOptions o;
    o.connect = "127.0.0.1:" + std::to_string(zk_->clientPort(1));
    o.session_timeout_ms = 2000;
    auto made = ZkClient::create(o, loop_->executor());
    QVERIFY(made.ok());
    auto& c = *made;
    c->setSessionListener([logp](const SessionEvent& e) { logp->add(e); });
    QVERIFY(c->connect(30s).ok());
    const auto sid = c->sessionId();
    QTest::qWait(100);
    log.clear();
    auto e = await<absl::StatusOr<CreateResult>>(
        [&](auto cb) { c->create("/eph-exp", "", {}, CreateMode{NodeKind::kEphemeral, false, 0}, cb); });
    QVERIFY(e.ok());
    auto g = await<absl::StatusOr<GetResult>>([&](auto cb) { c->get("/eph-exp", [](const WatchEvent&) {}, cb); });
    QVERIFY(g.ok());
    QCOMPARE(c->activeWatches(), 1);
    zk_->kill(1);
    QVERIFY(log.waitFor(SessionState::kSuspended, false, 10s));
    QTest::qWait(5000);
    QVERIFY(zk_->restart(1).ok());
    QVERIFY(zk_->waitQuorum().ok());
    QVERIFY(log.waitFor(SessionState::kExpired, false, 40s));
    QVERIFY(log.waitFor(SessionState::kConnected, true, 40s));
    QVERIFY(c->sessionId() != sid);
    QCOMPARE(c->activeWatches(), 0);
    auto gone = await<absl::StatusOr<std::optional<ZkStat>>>([&](auto cb) { c->exists("/eph-exp", nullptr, cb); });
    QVERIFY(gone.ok());
    QVERIFY(!gone->has_value());
  }
};

QTEST_GUILESS_MAIN(ZkClientTest)
#include "zk_client_test.moc"
