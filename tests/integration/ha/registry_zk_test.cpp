// The master's registry in a real 3-member ZooKeeper ensemble: the store on its own (sharded
// entries, multi batches, fencing by the leader's election znode, repair of a drifted view),
// and a master meeting corrupted and truncated state znodes: it names them, skips them, keeps
// leading, and the re-registering agent repairs them.
#include <QtTest>

#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/operator_client.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "common/zk/zk_status.h"
#include "local_cluster.h"
#include "master/state/registry_codec.h"
#include "master/state/zk_state_store.h"
#include "test_framework.h"
#include "zk_ensemble.h"

namespace v1 = orchestrator::v1;
using orch::master::StoreWrite;
using orch::master::ZkStateStore;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;
using orch::testing::ZkEnsemble;

namespace {

absl::Status writeSync(ZkStateStore& store, std::vector<StoreWrite> writes) {
  std::promise<absl::Status> done;
  store.write(std::move(writes), [&done](absl::Status s) { done.set_value(s); });
  return done.get_future().get();
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

class RegistryZkTest : public QObject {
  Q_OBJECT

  std::string chrootUrl(const std::string& chroot) {
    return absl::StrCat("zk://", zk_.connectString(), chroot);
  }

  // Creates `path` (and the chroot's parents) with a plain client.
  absl::Status createNode(const std::string& connect, const std::string& path) {
    orch::zk::EventLoop loop("test");
    auto client = orch::zk::ZkClient::create({connect, 10000}, loop.executor());
    if (!client.ok()) return client.status();
    if (auto s = (*client)->connect(std::chrono::seconds(20)); !s.ok()) return s;
    std::string prefix;
    size_t pos = 1;
    absl::Status result;
    while (pos <= path.size()) {
      size_t next = path.find('/', pos);
      if (next == std::string::npos) next = path.size();
      prefix = path.substr(0, next);
      pos = next + 1;
      std::promise<absl::Status> done;
      (*client)->create(prefix, "", orch::zk::openAcl(), {}, [&done](absl::StatusOr<orch::zk::CreateResult> r) {
        done.set_value(r.ok() || orch::zk::isNodeExists(r.status()) ? absl::OkStatus() : r.status());
      });
      result = done.get_future().get();
      if (!result.ok()) break;
    }
    (*client)->close();
    return result;
  }

  absl::Status removeNode(const std::string& connect, const std::string& path) {
    orch::zk::EventLoop loop("test");
    auto client = orch::zk::ZkClient::create({connect, 10000}, loop.executor());
    if (!client.ok()) return client.status();
    if (auto s = (*client)->connect(std::chrono::seconds(20)); !s.ok()) return s;
    std::promise<absl::Status> done;
    (*client)->remove(path, -1, [&done](absl::Status s) { done.set_value(s); });
    auto s = done.get_future().get();
    (*client)->close();
    return s;
  }

 private slots:
  void initTestCase() {
    auto s = zk_.start();
    QVERIFY2(s.ok(), std::string(s.message()).c_str());
  }

  void storeRoundTripsShardedEntries() {
    QVERIFY(createNode(zk_.connectString(), "/roundtrip").ok());
    std::vector<StoreWrite> writes;
    for (int i = 0; i < 2000; ++i) {
      writes.push_back({absl::StrCat("tasks/fw~t", i), std::string(300, char('a' + i % 26))});
    }
    writes.push_back({"agents/a1", "agent"});
    writes.push_back({"meta", "meta"});
    {
      ZkStateStore store({chrootUrl("/roundtrip"), 10000, ""});
      auto loaded = store.load();
      QVERIFY2(loaded.ok(), std::string(loaded.status().message()).c_str());
      QVERIFY(loaded->entries.empty());
      QVERIFY(writeSync(store, writes).ok());
      QVERIFY2(store.transactions() >= 3, "2,000 entries of 300 bytes need several multi() batches");
      QVERIFY(writeSync(store, {{"tasks/fw~t0", std::nullopt}, {"tasks/fw~t1", "changed"}}).ok());
      QCOMPARE(store.slowPathWrites(), uint64_t(0));
    }
    ZkStateStore again({chrootUrl("/roundtrip"), 10000, ""});
    auto loaded = again.load();
    QVERIFY(loaded.ok());
    QVERIFY(loaded->problems.empty());
    QCOMPARE(loaded->entries.size(), size_t(2001));
    QVERIFY(!loaded->entries.count("tasks/fw~t0"));
    QCOMPARE(loaded->entries.at("tasks/fw~t1"), std::string("changed"));
    QCOMPARE(loaded->entries.at("meta"), std::string("meta"));
    // Sharded: the entry lives in a bucket, not in one flat directory.
    QVERIFY(ZkStateStore::pathOf("tasks/fw~t5").rfind("/state/tasks/", 0) == 0);
    const std::string sharded = ZkStateStore::pathOf("tasks/fw~t5");
    QCOMPARE(std::count(sharded.begin(), sharded.end(), '/'), 4L);
  }

  void fencedWritesFailOnceTheElectionNodeIsGone() {
    QVERIFY(createNode(zk_.connectString(), "/fenced/leader/member_0000000001").ok());
    ZkStateStore store({chrootUrl("/fenced"), 10000, "/leader/member_0000000001"});
    QVERIFY(store.load().ok());
    QVERIFY(writeSync(store, {{"agents/a1", "v1"}}).ok());
    QVERIFY(removeNode(zk_.connectString(), "/fenced/leader/member_0000000001").ok());
    absl::Status s = writeSync(store, {{"agents/a1", "v2"}});
    QVERIFY(!s.ok());
    QVERIFY2(std::string(s.message()).find("no longer leads") != std::string::npos,
             std::string(s.message()).c_str());
    ZkStateStore reader({chrootUrl("/fenced"), 10000, ""});
    auto loaded = reader.load();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->entries.at("agents/a1"), std::string("v1"));  // the deposed write never landed
  }

  void driftedViewIsRepairedByUpserts() {
    QVERIFY(createNode(zk_.connectString(), "/drift").ok());
    ZkStateStore a({chrootUrl("/drift"), 10000, ""});
    QVERIFY(a.load().ok());
    QVERIFY(writeSync(a, {{"frameworks/f1", "one"}, {"frameworks/f2", "two"}}).ok());
    // Someone else deletes f1 and creates f3 behind a's back.
    ZkStateStore b({chrootUrl("/drift"), 10000, ""});
    QVERIFY(b.load().ok());
    QVERIFY(writeSync(b, {{"frameworks/f1", std::nullopt}, {"frameworks/f3", "x"}}).ok());
    // a believes f1 exists (set) and f3 does not (create): the multi fails, upserts repair it.
    QVERIFY(writeSync(a, {{"frameworks/f1", "one-again"}, {"frameworks/f3", "three"}}).ok());
    QVERIFY(a.slowPathWrites() > 0);
    ZkStateStore c({chrootUrl("/drift"), 10000, ""});
    auto loaded = c.load();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->entries.at("frameworks/f1"), std::string("one-again"));
    QCOMPARE(loaded->entries.at("frameworks/f3"), std::string("three"));
  }

  void unreachableEnsembleIsAClearError() {
    ZkStateStore store({"zk://127.0.0.1:1/nowhere", 1000, ""});
    auto loaded = store.load();
    QVERIFY(!loaded.ok());
    QVERIFY2(std::string(loaded.status().message()).find("127.0.0.1:1") != std::string::npos,
             std::string(loaded.status().message()).c_str());
  }

  void masterSkipsCorruptZnodesAndAgentsRepairThem() {
    LocalCluster cluster;
    LocalCluster::Options options;
    options.masters = 1;
    options.agents = 1;
    options.cgroups = false;
    options.zk = chrootUrl("/orchestrator");
    QVERIFY(cluster.start(options).ok());
    TestFramework framework(cluster.frameworkConfig(), "corrupt");
    QVERIFY(framework.subscribe(3600).ok());
    QVERIFY(framework.launch({TestFramework::shellTask("victim", "sleep 600", 0.1, 16),
                              TestFramework::shellTask("truncated", "sleep 600", 0.1, 16)}).ok());
    QVERIFY(framework.waitForState("victim", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("truncated", v1::TASK_RUNNING).has_value());

    cluster.killMaster(0);
    // Damage two task entries while no master runs.
    ZkStateStore store({options.zk, 10000, ""});
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    const std::string victim = orch::master::taskKey(orch::core::FrameworkId(framework.frameworkId()),
                                                     orch::core::TaskId("victim"));
    const std::string truncated = orch::master::taskKey(
        orch::core::FrameworkId(framework.frameworkId()), orch::core::TaskId("truncated"));
    QVERIFY(loaded->entries.count(victim));
    const std::string whole = loaded->entries.at(truncated);
    QVERIFY(writeSync(store, {{victim, "\xff\xfe not a protobuf"},
                              {truncated, whole.substr(0, whole.size() / 2)}}).ok());

    QVERIFY(cluster.startMaster(0).ok());
    QVERIFY(cluster.waitForLeader(30).ok());
    // Named with the znode path, skipped; the master keeps leading.
    const std::string log = readFile(cluster.dir() + "/master0.log");
    QVERIFY2(log.find(std::string("/orchestrator") + ZkStateStore::pathOf(victim)) != std::string::npos, log.c_str());
    QVERIFY2(log.find(std::string("/orchestrator") + ZkStateStore::pathOf(truncated)) != std::string::npos, log.c_str());
    // The agent re-registers with both tasks: they are known and running again.
    auto client = orch::client::OperatorClient::create(cluster.operatorConfig());
    QVERIFY(client.ok());
    bool both = false;
    for (int i = 0; i < 100 && !both; ++i) {
      auto tasks = (*client)->getTasks({});
      int running = 0;
      if (tasks.ok()) {
        for (const auto& t : tasks->tasks()) running += t.state() == v1::TASK_RUNNING;
      }
      both = running == 2;
      if (!both) QTest::qWait(100);
    }
    QVERIFY(both);
    // ...and their entries are whole again.
    bool repaired = false;
    for (int i = 0; i < 50 && !repaired; ++i) {
      ZkStateStore reader({options.zk, 10000, ""});
      auto again = reader.load();
      QVERIFY(again.ok());
      auto decoded = orch::master::decodeRegistry(again->entries, orch::core::TimePoint{});
      repaired = decoded.problems.empty() && again->entries.count(victim) && again->entries.count(truncated);
      if (!repaired) QTest::qWait(100);
    }
    QVERIFY2(repaired, "the re-registered tasks must be written back whole");
    for (const auto& u : framework.updates("victim")) QVERIFY(!TestFramework::isTerminal(u.state()));
  }

 private:
  ZkEnsemble zk_;
};

QTEST_GUILESS_MAIN(RegistryZkTest)
#include "registry_zk_test.moc"
