// The master's registry: what the engine reports as changed, how it is encoded into store
// entries and decoded back, recovery of a fresh engine from it, and the embedded file store
// (crash-safe log, torn tails, corruption, compaction, the data-dir lock).
#include <QTemporaryDir>
#include <QtTest>
#include <fcntl.h>
#include <unistd.h>

#include <future>
#include <variant>

#include "common/wire/wire_convert.h"
#include "core/master_engine.h"
#include "master/state/file_state_store.h"
#include "master/state/registry_codec.h"
#include "orchestrator/v1/common.pb.h"

using namespace orch::core;
using namespace orch::master;
using namespace std::chrono_literals;
namespace v1 = orchestrator::v1;

namespace {

Resources res(const char* text) { return *Resources::parse(text); }

TaskSpec taskSpec(const std::string& id, const char* resources = "cpus:0.1;mem:32") {
  v1::TaskInfo info;
  info.set_task_id(id);
  info.set_name(id);
  info.mutable_command()->set_shell(true);
  info.mutable_command()->set_value("sleep 1000");
  orch::wire::resourcesToProto(res(resources), info.mutable_resources());
  auto spec = orch::wire::taskSpecFromProto(info, "task");
  return *spec;
}

std::vector<OfferRecord> offersOf(const std::vector<Effect>& effects) {
  std::vector<OfferRecord> out;
  for (const Effect& e : effects) {
    if (auto* o = std::get_if<SendOffers>(&e)) out.insert(out.end(), o->offers.begin(), o->offers.end());
  }
  return out;
}

std::map<std::string, std::string> apply(std::map<std::string, std::string> entries,
                                         const std::vector<StoreWrite>& writes) {
  for (const StoreWrite& w : writes) {
    if (w.value) {
      entries[w.key] = *w.value;
    } else {
      entries.erase(w.key);
    }
  }
  return entries;
}

absl::Status writeSync(StateStore& store, std::vector<StoreWrite> writes) {
  std::promise<absl::Status> done;
  store.write(std::move(writes), [&done](absl::Status s) { done.set_value(s); });
  return done.get_future().get();
}

TaskStatus agentStatus(const std::string& id, TaskState state, const std::string& uuid) {
  TaskStatus s;
  s.task = TaskId(id);
  s.state = state;
  s.source = StatusSource::kAgent;
  s.uuid = uuid;
  return s;
}

// Q_ASSERT vanishes in release builds; the fixture's setup must always run.
#define REQUIRE(expr) \
  do {                \
    if (!(expr)) qFatal("fixture setup failed: %s", #expr); \
  } while (0)

// An engine with one agent, one framework (failover timeout 1 h) and three tasks: t1 running,
// t2 finished but unacknowledged, t3 staging; role "eng" has weight 2 and a quota.
struct Populated {
  MasterEngine engine{MasterOptions{}};
  AgentId agent;
  FrameworkId framework;
  TimePoint now = orch::wire::steadyNow();

  Populated() {
    AgentDescription a;
    a.hostname = "host1";
    a.endpoint = "127.0.0.1:7001";
    a.resources = res("cpus:4;mem:4096;ports:[31000-32000]");
    a.attributes = {{"rack", "r1"}};
    agent = engine.registerAgent(a, now);
    FrameworkDescription f;
    f.name = "svc";
    f.roles = {RoleName("eng")};
    f.failover_timeout = 3600s;
    framework = *engine.subscribe(f, now);
    engine.allocate(now);
    auto offers = offersOf(engine.takeEffects());
    LaunchOperation reserve;
    reserve.type = LaunchOperation::Type::kReserve;
    reserve.resources = res("cpus(eng):1");
    LaunchOperation launch;
    launch.tasks = {taskSpec("t1"), taskSpec("t2"), taskSpec("t3")};
    REQUIRE(engine.accept(framework, {offers.at(0).id}, {reserve, launch}, std::nullopt, now).ok());
    REQUIRE(engine.statusUpdate(agent, agentStatus("t1", TaskState::kRunning, "a1"), now).ok());
    REQUIRE(engine.statusUpdate(agent, agentStatus("t2", TaskState::kFinished, "a2"), now).ok());
    REQUIRE(engine.setWeight(RoleName("eng"), 2).ok());
    Quota quota;
    quota.guarantee = res("cpus:1");
    quota.limit = res("cpus:3");
    REQUIRE(engine.setQuota(RoleName("eng/ml"), quota).ok());
    engine.takeEffects();
  }
};

}  // namespace

class RegistryTest : public QObject {
  Q_OBJECT

 private slots:
  void deltaNamesWhatChanged() {
    Populated p;
    RegistryDelta delta = p.engine.takeRegistryDelta();
    QVERIFY(delta.meta);
    QVERIFY(delta.agents.count(p.agent));
    QVERIFY(delta.frameworks.count(p.framework));
    QCOMPARE(delta.tasks.size(), size_t(3));
    QVERIFY(delta.roles.count(RoleName("eng")));
    QVERIFY(delta.roles.count(RoleName("eng/ml")));
    QVERIFY(p.engine.takeRegistryDelta().empty());  // taken
    // A heartbeat changes nothing persistent.
    QVERIFY(p.engine.heartbeat(p.agent, p.now).ok());
    QVERIFY(p.engine.takeRegistryDelta().empty());
  }

  void acknowledgedFinalUpdateDeletesTheEntry() {
    Populated p;
    p.engine.takeRegistryDelta();
    const auto* pending = p.engine.pendingUpdates(p.framework, TaskId("t2"));
    QVERIFY(pending);
    // The framework was sent t1 RUNNING first? Each task has its own queue; acknowledge t2's
    // queue up to its FINISHED update.
    while (const auto* q = p.engine.pendingUpdates(p.framework, TaskId("t2"))) {
      QVERIFY(p.engine.acknowledge(p.framework, TaskId("t2"), q->front().uuid, p.now).ok());
    }
    RegistryDelta delta = p.engine.takeRegistryDelta();
    QVERIFY(delta.tasks.count({p.framework, TaskId("t2")}));
    auto writes = encodeDelta(p.engine, delta);
    bool deleted = false;
    for (const auto& w : writes) {
      if (w.key == taskKey(p.framework, TaskId("t2"))) deleted = !w.value.has_value();
    }
    QVERIFY2(deleted, "the acknowledged finished task must leave the registry");
  }

  void roundTripRecoversEverything() {
    Populated p;
    auto entries = apply({}, encodeDelta(p.engine, fullDelta(p.engine)));
    QVERIFY(entries.count(kMetaKey));
    QVERIFY(entries.count(roleKey(RoleName("eng/ml"))));
    QVERIFY(roleKey(RoleName("eng/ml")).find("eng%2Fml") != std::string::npos);
    for (const auto& [key, value] : entries) QVERIFY2(value.size() < 64 * 1024, key.c_str());

    const TimePoint later = orch::wire::steadyNow();
    DecodedRegistry decoded = decodeRegistry(entries, later);
    QVERIFY2(decoded.problems.empty(), decoded.problems.empty() ? "" : decoded.problems[0].c_str());
    MasterEngine fresh{MasterOptions{}};
    auto problems = fresh.recover(decoded.state, later);
    QVERIFY2(problems.empty(), problems.empty() ? "" : problems[0].c_str());

    QCOMPARE(fresh.agents().size(), size_t(1));
    const AgentRecord& agent = fresh.agents().at(p.agent);
    QVERIFY(!agent.connected);
    QCOMPARE(agent.info.hostname, std::string("host1"));
    QCOMPARE(agent.info.resources, res("cpus:4;mem:4096;ports:[31000-32000]"));
    QCOMPARE(agent.dynamic_reservations, res("cpus(eng):1"));
    QCOMPARE(agent.info.attributes.size(), size_t(1));
    const FrameworkRecord& fw = fresh.frameworks().at(p.framework);
    QVERIFY(!fw.connected);
    QVERIFY(fw.info.failover_timeout == 3600s);
    QVERIFY(fw.failover_deadline && *fw.failover_deadline >= later + 3599s);
    QCOMPARE(fresh.tasks().size(), size_t(2));  // t1 running, t3 staging
    QCOMPARE(int(fresh.findTask(p.framework, TaskId("t1"))->state), int(TaskState::kRunning));
    QCOMPARE(int(fresh.findTask(p.framework, TaskId("t3"))->state), int(TaskState::kStaging));
    QVERIFY(fresh.pendingUpdates(p.framework, TaskId("t2")));  // unacknowledged FINISHED kept
    QCOMPARE(int(fresh.pendingUpdates(p.framework, TaskId("t2"))->back().state),
             int(TaskState::kFinished));
    QCOMPARE(fresh.allocator().weights().at(RoleName("eng")), 2.0);
    QCOMPARE(fresh.allocator().quotas().at(RoleName("eng/ml")).limit, res("cpus:3"));
    // Ids are never handed out twice.
    QVERIFY(fresh.nextAgentNumber() >= p.engine.nextAgentNumber());
    QVERIFY(fresh.nextFrameworkNumber() >= p.engine.nextFrameworkNumber());
    // The running tasks' resources are allocated again: the reservation and the tasks.
    QCOMPARE(fresh.usedOn(p.agent), p.engine.usedOn(p.agent));
  }

  void recoveredAgentReregistersWithoutLosingTasks() {
    Populated p;
    auto entries = apply({}, encodeDelta(p.engine, fullDelta(p.engine)));
    const TimePoint later = orch::wire::steadyNow();
    MasterEngine fresh{MasterOptions{}};
    fresh.recover(decodeRegistry(entries, later).state, later);
    fresh.takeEffects();
    AgentDescription a = p.engine.agents().at(p.agent).info;
    std::vector<MasterEngine::ReportedTask> reported;
    for (const char* id : {"t1", "t3"}) {
      MasterEngine::ReportedTask r;
      r.spec = taskSpec(id);
      r.framework = p.framework;
      r.status = agentStatus(id, TaskState::kRunning, "");
      reported.push_back(r);
    }
    QVERIFY(fresh.reregisterAgent(a, reported, later).ok());
    QVERIFY(fresh.agents().at(p.agent).connected);
    QCOMPARE(int(fresh.findTask(p.framework, TaskId("t1"))->state), int(TaskState::kRunning));
    QCOMPARE(int(fresh.findTask(p.framework, TaskId("t3"))->state), int(TaskState::kRunning));
    QCOMPARE(fresh.tasks().size(), size_t(2));
  }

  void agentThatNeverReturnsBecomesUnreachable() {
    Populated p;
    auto entries = apply({}, encodeDelta(p.engine, fullDelta(p.engine)));
    const TimePoint later = orch::wire::steadyNow();
    MasterOptions options;
    options.recovery_agent_grace = 5s;
    MasterEngine fresh{options};
    fresh.recover(decodeRegistry(entries, later).state, later);
    fresh.tick(later + 4s);
    QCOMPARE(int(fresh.agents().at(p.agent).status), int(AgentStatus::kActive));
    fresh.tick(later + 6s);
    QCOMPARE(int(fresh.agents().at(p.agent).status), int(AgentStatus::kUnreachable));
    QCOMPARE(int(fresh.findTask(p.framework, TaskId("t1"))->state), int(TaskState::kUnreachable));
  }

  void corruptEntryIsNamedAndSkipped_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("garbage task") << "tasks/fw~t9" << QByteArray("\xff\xff\xff garbage", 12);
    QTest::newRow("truncated agent") << "agents/x-S1" << QByteArray("\x0a\x40\x0a", 3);
    QTest::newRow("unknown kind") << "widgets/w1" << QByteArray("x");
    QTest::newRow("meta garbage") << "meta" << QByteArray("\x08\xff", 2);
  }
  void corruptEntryIsNamedAndSkipped() {
    QFETCH(QString, key);
    QFETCH(QByteArray, value);
    Populated p;
    auto entries = apply({}, encodeDelta(p.engine, fullDelta(p.engine)));
    entries[key.toStdString()] = value.toStdString();
    DecodedRegistry decoded = decodeRegistry(entries, orch::wire::steadyNow());
    QCOMPARE(decoded.bad_keys.size(), size_t(1));
    QCOMPARE(QString::fromStdString(decoded.bad_keys[0]), key);
    QVERIFY(QString::fromStdString(decoded.problems[0]).startsWith(key));
    QCOMPARE(decoded.state.agents.size(), size_t(key.startsWith("agents/") ? 1 : 1));
    MasterEngine fresh{MasterOptions{}};
    fresh.recover(decoded.state, orch::wire::steadyNow());
    QCOMPARE(fresh.tasks().size(), size_t(2));
  }

  void entryUnderAnotherKeyIsRejected() {
    Populated p;
    auto entries = apply({}, encodeDelta(p.engine, fullDelta(p.engine)));
    const std::string moved = entries.at(agentKey(p.agent));
    entries[agentKey(AgentId("other"))] = moved;
    DecodedRegistry decoded = decodeRegistry(entries, orch::wire::steadyNow());
    QCOMPARE(decoded.bad_keys.size(), size_t(1));
    QCOMPARE(decoded.bad_keys[0], agentKey(AgentId("other")));
  }

  void taskOfUnknownAgentIsReportedLost() {
    Populated p;
    auto entries = apply({}, encodeDelta(p.engine, fullDelta(p.engine)));
    entries.erase(agentKey(p.agent));
    const TimePoint later = orch::wire::steadyNow();
    MasterEngine fresh{MasterOptions{}};
    auto problems = fresh.recover(decodeRegistry(entries, later).state, later);
    QCOMPARE(problems.size(), size_t(2));  // t1 and t3
    QVERIFY(fresh.tasks().empty());
    const auto* pending = fresh.pendingUpdates(p.framework, TaskId("t1"));
    QVERIFY(pending);
    QCOMPARE(int(pending->back().state), int(TaskState::kLost));
    // ...and that final update is persisted.
    QVERIFY(fresh.takeRegistryDelta().tasks.count({p.framework, TaskId("t1")}));
  }

  void taskInfoTooLargeForOneEntryIsRefused() {
    MasterEngine engine{MasterOptions{}};
    const TimePoint now = orch::wire::steadyNow();
    AgentDescription a;
    a.resources = res("cpus:1;mem:1024");
    engine.registerAgent(a, now);
    FrameworkId fw = *engine.subscribe(FrameworkDescription{}, now);
    engine.allocate(now);
    auto offers = offersOf(engine.takeEffects());
    TaskSpec big = taskSpec("big");
    big.payload.resize(60 * 1024, 'x');
    LaunchOperation launch;
    launch.tasks = {big};
    absl::Status s = engine.accept(fw, {offers.at(0).id}, {launch}, std::nullopt, now);
    QVERIFY(!s.ok());
    QVERIFY2(std::string(s.message()).find("limit is 49152") != std::string::npos,
             std::string(s.message()).c_str());
  }

  // ---- the embedded file store ----

  void fileStoreKeepsWritesAcrossReopen() {
    QTemporaryDir dir;
    {
      FileStateStore store({dir.path().toStdString()});
      QVERIFY(store.load().ok());
      QVERIFY(writeSync(store, {{"a", "1"}, {"b", "2"}}).ok());
      QVERIFY(writeSync(store, {{"a", "3"}, {"b", std::nullopt}, {"c", "4"}}).ok());
    }
    FileStateStore store({dir.path().toStdString()});
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    QVERIFY(loaded->problems.empty());
    QCOMPARE(loaded->entries.size(), size_t(2));
    QCOMPARE(loaded->entries.at("a"), std::string("3"));
    QCOMPARE(loaded->entries.at("c"), std::string("4"));
  }

  void fileStoreRepairsATornTail_data() {
    QTest::addColumn<int>("cut");
    QTest::newRow("half a header") << 3;
    QTest::newRow("half a payload") << 9;
    QTest::newRow("last byte") << 1;
  }
  void fileStoreRepairsATornTail() {
    QFETCH(int, cut);
    QTemporaryDir dir;
    std::string log;
    {
      FileStateStore store({dir.path().toStdString()});
      QVERIFY(store.load().ok());
      QVERIFY(writeSync(store, {{"kept", "value-1"}}).ok());
      QVERIFY(writeSync(store, {{"torn", "value-2"}}).ok());
      log = store.logPath();
    }
    QFile file(QString::fromStdString(log));
    QVERIFY(file.resize(file.size() - cut));  // a crash in the middle of the last append
    {
      FileStateStore store({dir.path().toStdString()});
      auto loaded = store.load();
      QVERIFY(loaded.ok());
      QCOMPARE(loaded->entries.size(), size_t(1));
      QVERIFY(loaded->entries.count("kept"));
      QCOMPARE(loaded->problems.size(), size_t(1));
      QVERIFY2(QString::fromStdString(loaded->problems[0]).contains(QString::fromStdString(log)),
               loaded->problems[0].c_str());
      // Repaired: new writes land after the good records and read back cleanly.
      QVERIFY(writeSync(store, {{"after", "value-3"}}).ok());
    }
    FileStateStore store({dir.path().toStdString()});
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    QVERIFY(loaded->problems.empty());
    QCOMPARE(loaded->entries.size(), size_t(2));
  }

  void fileStoreDetectsAFlippedByte() {
    QTemporaryDir dir;
    std::string log;
    {
      FileStateStore store({dir.path().toStdString()});
      QVERIFY(store.load().ok());
      QVERIFY(writeSync(store, {{"first", std::string(100, 'a')}}).ok());
      QVERIFY(writeSync(store, {{"second", std::string(100, 'b')}}).ok());
      log = store.logPath();
    }
    QFile file(QString::fromStdString(log));
    QVERIFY(file.open(QIODevice::ReadWrite));
    QByteArray bytes = file.readAll();
    const qsizetype pos = bytes.indexOf(QByteArray(10, 'b'));
    QVERIFY(pos > 0);
    bytes[pos + 5] = 'X';
    file.seek(0);
    file.write(bytes);
    file.close();
    FileStateStore store({dir.path().toStdString()});
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->entries.size(), size_t(1));
    QVERIFY(loaded->entries.count("first"));
    QCOMPARE(loaded->problems.size(), size_t(1));
    QVERIFY2(QString::fromStdString(loaded->problems[0]).contains("checksum"), loaded->problems[0].c_str());
  }

  void fileStoreCompactsIntoASnapshot() {
    QTemporaryDir dir;
    {
      FileStateStore store({dir.path().toStdString(), 4096});
      QVERIFY(store.load().ok());
      for (int i = 0; i < 200; ++i) {
        QVERIFY(writeSync(store, {{"k" + std::to_string(i % 20), std::string(64, char('a' + i % 26))}}).ok());
      }
      QVERIFY(store.compactions() > 0);
      QVERIFY(QFileInfo(QString::fromStdString(store.logPath())).size() < 4096 + 200);
    }
    FileStateStore store({dir.path().toStdString(), 4096});
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    QVERIFY(loaded->problems.empty());
    QCOMPARE(loaded->entries.size(), size_t(20));
    QCOMPARE(loaded->entries.at("k19"), std::string(64, char('a' + 199 % 26)));
  }

  void fileStoreRefusesASecondMaster() {
    QTemporaryDir dir;
    FileStateStore first({dir.path().toStdString()});
    QVERIFY(first.load().ok());
    FileStateStore second({dir.path().toStdString()});
    auto loaded = second.load();
    QVERIFY(!loaded.ok());
    QVERIFY2(std::string(loaded.status().message()).find("in use by another master") != std::string::npos,
             std::string(loaded.status().message()).c_str());
  }

  void fileStoreCarriesAWholeRegistry() {
    Populated p;
    QTemporaryDir dir;
    {
      FileStateStore store({dir.path().toStdString()});
      QVERIFY(store.load().ok());
      QVERIFY(writeSync(store, encodeDelta(p.engine, fullDelta(p.engine))).ok());
    }
    FileStateStore store({dir.path().toStdString()});
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    MasterEngine fresh{MasterOptions{}};
    auto problems = fresh.recover(decodeRegistry(loaded->entries, orch::wire::steadyNow()).state,
                                  orch::wire::steadyNow());
    QVERIFY(problems.empty());
    QCOMPARE(fresh.tasks().size(), size_t(2));
    QCOMPARE(fresh.frameworks().size(), size_t(1));
  }
};

QTEST_APPLESS_MAIN(RegistryTest)
#include "registry_test.moc"
