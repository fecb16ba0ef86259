// Unit tests of the master's pure engine, driven with virtual time.
#include <QtTest>
#include <variant>

#include "core/master_engine.h"

using namespace orch::core;
using namespace std::chrono_literals;

namespace {

template <typename T>
std::vector<T> effectsOf(const std::vector<Effect>& effects) {
  std::vector<T> out;
  for (const Effect& e : effects) {
    if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
  }
  return out;
}

Resources res(const char* text) { return *Resources::parse(text); }

TaskSpec task(const std::string& id, const char* resources = "cpus:0.1;mem:32") {
  TaskSpec spec;
  spec.id = TaskId(id);
  spec.name = id;
  spec.resources = res(resources);
  spec.payload = "payload-" + id;
  return spec;
}

LaunchOperation launchOf(std::vector<TaskSpec> tasks) {
  LaunchOperation op;
  op.tasks = std::move(tasks);
  return op;
}

TaskStatus agentStatus(const std::string& id, TaskState state, const std::string& uuid,
                       std::optional<int> exit = std::nullopt) {
  TaskStatus s;
  s.task = TaskId(id);
  s.state = state;
  s.source = StatusSource::kAgent;
  s.uuid = uuid;
  s.exit_code = exit;
  return s;
}

}  // namespace

class MasterEngineTest : public QObject {
  Q_OBJECT

  TimePoint t0{std::chrono::seconds(1000)};

  struct Fixture {
    MasterEngine engine;
    AgentId agent;
    FrameworkId framework;
    std::vector<OfferRecord> offers;
    explicit Fixture(TimePoint now, const char* agent_resources = "cpus:1;mem:1024")
        : engine(MasterOptions{}) {
      AgentDescription a;
      a.hostname = "host1";
      a.resources = *Resources::parse(agent_resources);
      agent = engine.registerAgent(a, now);
      FrameworkDescription f;
      f.name = "fw";
      framework = *engine.subscribe(f, now);
      engine.allocate(now);
      for (auto& o : effectsOf<SendOffers>(engine.takeEffects())) {
        for (auto& r : o.offers) offers.push_back(r);
      }
    }
  };

 private slots:
  void offersTheWholeAgentToTheOnlyFramework() {
    Fixture f(t0);
    QCOMPARE(f.offers.size(), size_t(1));
    QCOMPARE(f.offers[0].framework, f.framework);
    QCOMPARE(f.offers[0].agent, f.agent);
    QVERIFY(f.offers[0].resources == res("cpus:1;mem:1024"));
  }

  void fractionalCpusAddUpExactly() {
    Fixture f(t0);
    std::vector<TaskSpec> tasks;
    for (int i = 0; i < 10; ++i) tasks.push_back(task("t" + std::to_string(i), "cpus:0.1;mem:10"));
    QVERIFY(f.engine.accept(f.framework, {f.offers[0].id}, {launchOf(tasks)}, 0s, t0).ok());
    // Ten tenths of a cpu are exactly the agent's one cpu: no cpus are left to offer.
    f.engine.takeEffects();
    f.engine.allocate(t0 + 1s);
    for (auto& o : effectsOf<SendOffers>(f.engine.takeEffects())) {
      for (auto& r : o.offers) QCOMPARE(r.resources.scalar("cpus").milli(), int64_t(0));
    }
    QCOMPARE(f.engine.usedOn(f.agent).scalar("cpus").milli(), int64_t(1000));
  }

  void acceptIsValidated_data() {
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no offers") << "no-offers" << "offer_ids: must name";
    QTest::newRow("unknown offer") << "unknown" << "offer_ids[0]: unknown or expired";
    QTest::newRow("offer named twice") << "twice" << "named twice";
    QTest::newRow("empty task id") << "empty-id" << "task_infos[0].task_id: must not be empty";
    QTest::newRow("task id with a slash") << "slash-id" << "task_infos[0].task_id";
    QTest::newRow("duplicate task ids") << "dup" << "task_infos[1].task_id: 't' is already in use";
    QTest::newRow("too many cpus") << "too-big" << "task_infos[0].resources";
    QTest::newRow("no resources") << "no-resources" << "a task needs resources";
    QTest::newRow("wrong agent id") << "agent" << "agent_id";
    QTest::newRow("empty group") << "empty-group" << "launch_group.task_group.tasks: empty";
  }

  void acceptIsValidated() {
    QFETCH(QString, mutation);
    QFETCH(QString, expected);
    Fixture f(t0);
    std::vector<OfferId> offers = {f.offers[0].id};
    LaunchOperation op = launchOf({task("t")});
    const std::string m = mutation.toStdString();
    if (m == "no-offers") offers.clear();
    if (m == "unknown") offers = {OfferId("nope")};
    if (m == "twice") offers.push_back(offers[0]);
    if (m == "empty-id") op.tasks[0].id = TaskId("");
    if (m == "slash-id") op.tasks[0].id = TaskId("a/b");
    if (m == "dup") op.tasks.push_back(task("t"));
    if (m == "too-big") op.tasks[0].resources = res("cpus:2;mem:32");
    if (m == "no-resources") op.tasks[0].resources = Resources();
    if (m == "agent") op.task_agent_ids = {"other-agent"};
    if (m == "empty-group") {
      op.group = true;
      op.tasks.clear();
    }
    absl::Status s = f.engine.accept(f.framework, offers, {op}, std::nullopt, t0);
    QVERIFY(!s.ok());
    QCOMPARE(s.code(), absl::StatusCode::kInvalidArgument);
    QVERIFY2(QString::fromStdString(std::string(s.message())).contains(expected),
             std::string(s.message()).c_str());
    QVERIFY(f.engine.tasks().empty());
    if (m == "no-offers" || m == "unknown") {
      // The real offer was not named: it stays outstanding.
      QVERIFY(f.engine.offers().count(f.offers[0].id));
      return;
    }
    // The offer's resources went back and are offered again.
    f.engine.takeEffects();
    f.engine.allocate(t0 + 1ms);
    auto again = effectsOf<SendOffers>(f.engine.takeEffects());
    QCOMPARE(again.size(), size_t(1));
    QVERIFY(again[0].offers[0].resources == res("cpus:1;mem:1024"));
  }

  void anotherFrameworksOfferIsRefused() {
    Fixture f(t0);
    FrameworkDescription other;
    other.name = "other";
    FrameworkId id = *f.engine.subscribe(other, t0);
    absl::Status s = f.engine.accept(id, {f.offers[0].id}, {launchOf({task("x")})}, std::nullopt, t0);
    QVERIFY(!s.ok());
    QVERIFY(QString::fromStdString(std::string(s.message())).contains("another framework"));
  }

  void statusUpdatesAreRetriedUntilAcknowledged() {
    Fixture f(t0);
    QVERIFY(f.engine.accept(f.framework, {f.offers[0].id}, {launchOf({task("t")})}, 0s, t0).ok());
    auto run = effectsOf<SendRunTasks>(f.engine.takeEffects());
    QCOMPARE(run.size(), size_t(1));
    QCOMPARE(run[0].tasks[0].payload, std::string("payload-t"));

    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kRunning, "a1"), t0).ok());
    auto effects = f.engine.takeEffects();
    auto acks = effectsOf<SendAckToAgent>(effects);
    QCOMPARE(acks.size(), size_t(1));
    QCOMPARE(acks[0].uuid, std::string("a1"));
    auto updates = effectsOf<SendStatusToFramework>(effects);
    QCOMPARE(updates.size(), size_t(1));
    QCOMPARE(updates[0].status.state, TaskState::kRunning);
    const std::string uuid = updates[0].status.uuid;
    QVERIFY(!uuid.empty());

    // The finished update waits behind the unacknowledged running one.
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kFinished, "a2", 0), t0).ok());
    QCOMPARE(effectsOf<SendStatusToFramework>(f.engine.takeEffects()).size(), size_t(0));
    // No acknowledgement: resent after the retry interval.
    f.engine.tick(t0 + 3s);
    auto resent = effectsOf<SendStatusToFramework>(f.engine.takeEffects());
    QCOMPARE(resent.size(), size_t(1));
    QCOMPARE(resent[0].status.uuid, uuid);
    // A wrong uuid is an error; the right one releases the next update.
    QVERIFY(!f.engine.acknowledge(f.framework, TaskId("t"), "wrong", t0 + 3s).ok());
    QVERIFY(f.engine.acknowledge(f.framework, TaskId("t"), uuid, t0 + 3s).ok());
    auto next = effectsOf<SendStatusToFramework>(f.engine.takeEffects());
    QCOMPARE(next.size(), size_t(1));
    QCOMPARE(next[0].status.state, TaskState::kFinished);
    QCOMPARE(next[0].status.exit_code.value_or(-1), 0);
    QVERIFY(f.engine.acknowledge(f.framework, TaskId("t"), next[0].status.uuid, t0 + 3s).ok());
    f.engine.tick(t0 + 10s);
    QCOMPARE(effectsOf<SendStatusToFramework>(f.engine.takeEffects()).size(), size_t(0));
    // The task is archived with its final state and its resources are free again.
    QVERIFY(f.engine.tasks().empty());
    QCOMPARE(f.engine.completedTasks().back().state, TaskState::kFinished);
    QVERIFY(f.engine.usedOn(f.agent).empty());
  }

  void missedHeartbeatsMakeTasksUnreachableUntilTheAgentReturns() {
    Fixture f(t0);
    QVERIFY(f.engine.accept(f.framework, {f.offers[0].id}, {launchOf({task("t"), task("u")})}, 0s, t0).ok());
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kRunning, "1"), t0).ok());
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("u", TaskState::kRunning, "2"), t0).ok());
    f.engine.takeEffects();
    f.engine.tick(t0 + 10s);  // 5 missed 1 s heartbeats
    QCOMPARE(f.engine.agents().at(f.agent).status, AgentStatus::kUnreachable);
    QCOMPARE(f.engine.findTask(f.framework, TaskId("t"))->state, TaskState::kUnreachable);
    QVERIFY(!f.engine.heartbeat(f.agent, t0 + 10s).ok());
    // Until it re-registers, its status updates are refused and not acknowledged: the agent
    // keeps them, and re-registration settles the task as a reconciliation.
    QVERIFY(absl::IsFailedPrecondition(
        f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kRunning, "3"), t0 + 10s)));
    QCOMPARE(effectsOf<SendAckToAgent>(f.engine.takeEffects()).size(), size_t(0));
    QCOMPARE(f.engine.findTask(f.framework, TaskId("t"))->state, TaskState::kUnreachable);

    // It comes back with only "t": "t" runs again, "u" was lost.
    AgentDescription a = f.engine.agents().at(f.agent).info;
    MasterEngine::ReportedTask reported{task("t"), f.framework, agentStatus("t", TaskState::kRunning, "")};
    QVERIFY(f.engine.reregisterAgent(a, {reported}, t0 + 11s).ok());
    QCOMPARE(f.engine.agents().at(f.agent).status, AgentStatus::kActive);
    QCOMPARE(f.engine.findTask(f.framework, TaskId("t"))->state, TaskState::kRunning);
    QCOMPARE(f.engine.findTask(f.framework, TaskId("t"))->latest.reason, TaskReason::kReconciliation);
    QCOMPARE(f.engine.findTask(f.framework, TaskId("u"))->state, TaskState::kLost);
  }

  void offersTimeOutAndAreRescinded() {
    Fixture f(t0);
    f.engine.tick(t0 + 11s);
    auto rescinds = effectsOf<SendRescind>(f.engine.takeEffects());
    QCOMPARE(rescinds.size(), size_t(1));
    QCOMPARE(rescinds[0].offer, f.offers[0].id);
  }

  void declineFiltersTheAgentForRefuseSeconds() {
    Fixture f(t0);
    QVERIFY(f.engine.decline(f.framework, {f.offers[0].id}, 5s, t0).ok());
    f.engine.allocate(t0 + 1s);
    QCOMPARE(effectsOf<SendOffers>(f.engine.takeEffects()).size(), size_t(0));
    f.engine.allocate(t0 + 6s);
    QCOMPARE(effectsOf<SendOffers>(f.engine.takeEffects()).size(), size_t(1));
  }

  void aDisconnectedFrameworkWithoutFailoverIsTornDown() {
    Fixture f(t0);
    QVERIFY(f.engine.accept(f.framework, {f.offers[0].id}, {launchOf({task("t")})}, 0s, t0).ok());
    f.engine.takeEffects();
    f.engine.frameworkDisconnected(f.framework, t0 + 1s);
    auto effects = f.engine.takeEffects();
    QCOMPARE(effectsOf<SendKillTask>(effects).size(), size_t(1));
    QVERIFY(f.engine.frameworks().empty());
    QVERIFY(f.engine.tasks().empty());
  }

  void aFrameworkWithFailoverKeepsItsTasks() {
    MasterEngine engine(MasterOptions{});
    AgentDescription a;
    a.resources = res("cpus:1;mem:1024");
    AgentId agent = engine.registerAgent(a, t0);
    FrameworkDescription d;
    d.failover_timeout = 30s;
    FrameworkId fw = *engine.subscribe(d, t0);
    engine.allocate(t0);
    auto offers = effectsOf<SendOffers>(engine.takeEffects());
    QVERIFY(engine.accept(fw, {offers[0].offers[0].id}, {launchOf({task("t")})}, 0s, t0).ok());
    engine.frameworkDisconnected(fw, t0 + 1s);
    engine.tick(t0 + 20s);
    QVERIFY(engine.frameworks().count(fw));
    d.id = fw;
    QVERIFY(engine.subscribe(d, t0 + 21s).ok());
    engine.tick(t0 + 40s);
    QVERIFY(engine.frameworks().count(fw));
    QCOMPARE(engine.tasks().size(), size_t(1));
    (void)agent;
  }

  void drainKillsTasksAndReactivateRestoresOffers() {
    Fixture f(t0);
    QVERIFY(f.engine.accept(f.framework, {f.offers[0].id}, {launchOf({task("t")})}, 0s, t0).ok());
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kRunning, "1"), t0).ok());
    f.engine.takeEffects();
    QVERIFY(f.engine.drainAgent(f.agent, 1s, t0).ok());
    QCOMPARE(effectsOf<SendKillTask>(f.engine.takeEffects()).size(), size_t(1));
    QCOMPARE(f.engine.agents().at(f.agent).status, AgentStatus::kDraining);
    f.engine.allocate(t0 + 1s);
    QCOMPARE(effectsOf<SendOffers>(f.engine.takeEffects()).size(), size_t(0));
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kKilled, "2"), t0 + 1s).ok());
    QCOMPARE(f.engine.agents().at(f.agent).status, AgentStatus::kDrained);
    QVERIFY(f.engine.reactivateAgent(f.agent, t0 + 2s).ok());
    f.engine.takeEffects();
    f.engine.allocate(t0 + 2s);
    QCOMPARE(effectsOf<SendOffers>(f.engine.takeEffects()).size(), size_t(1));
    QVERIFY(!f.engine.reactivateAgent(f.agent, t0 + 3s).ok());
  }

  void drainWithADeadlineLetsTasksRunUntilThen() {
    Fixture f(t0);
    QVERIFY(f.engine.accept(f.framework, {f.offers[0].id}, {launchOf({task("t")})}, 0s, t0).ok());
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("t", TaskState::kRunning, "1"), t0).ok());
    f.engine.takeEffects();
    QVERIFY(f.engine.drainAgent(f.agent, 1s, t0, 60s).ok());
    QCOMPARE(effectsOf<SendKillTask>(f.engine.takeEffects()).size(), size_t(0));
    QVERIFY(f.engine.heartbeat(f.agent, t0 + 29s).ok());
    f.engine.tick(t0 + 30s);
    QCOMPARE(effectsOf<SendKillTask>(f.engine.takeEffects()).size(), size_t(0));
    QCOMPARE(effectsOf<SendOffers>(f.engine.takeEffects()).size(), size_t(0));
    QVERIFY(f.engine.heartbeat(f.agent, t0 + 59s).ok());
    f.engine.tick(t0 + 61s);
    auto kills = effectsOf<SendKillTask>(f.engine.takeEffects());
    QCOMPARE(kills.size(), size_t(1));
    QCOMPARE(kills[0].grace, Duration(1s));
  }

  void reserveThenLaunchOnTheReservation() {
    MasterEngine engine(MasterOptions{});
    AgentDescription a;
    a.resources = res("cpus:4;mem:1024");
    AgentId agent = engine.registerAgent(a, t0);
    FrameworkDescription eng;
    eng.roles = {RoleName("eng")};
    FrameworkId fw = *engine.subscribe(eng, t0);
    engine.allocate(t0);
    auto offers = effectsOf<SendOffers>(engine.takeEffects());
    QCOMPARE(offers.size(), size_t(1));
    LaunchOperation reserve;
    reserve.type = LaunchOperation::Type::kReserve;
    reserve.resources = res("cpus(eng):2");
    LaunchOperation launch = launchOf({task("r", "cpus(eng):1;mem:32")});
    QVERIFY(engine.accept(fw, {offers[0].offers[0].id}, {reserve, launch}, 0s, t0).ok());
    QCOMPARE(engine.tasks().size(), size_t(1));
    // Another role is never offered the reserved cpu that is left.
    FrameworkDescription other;
    other.roles = {RoleName("other")};
    FrameworkId fw2 = *engine.subscribe(other, t0);
    engine.suppress(fw, t0).IgnoreError();
    engine.takeEffects();
    engine.allocate(t0 + 1s);
    for (auto& o : effectsOf<SendOffers>(engine.takeEffects())) {
      QCOMPARE(o.framework, fw2);
      for (auto& r : o.offers) QVERIFY(r.resources.reservedTo("eng").empty());
    }
    (void)agent;
  }

  void reserveIsValidated_data() {
    QTest::addColumn<QString>("resources");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong role") << "cpus(ops):1" << "must be reserved to the offers' role";
    QTest::newRow("too much") << "cpus(eng):9" << "is not in what remains";
    QTest::newRow("unreserved") << "cpus:1" << "must be reserved";
  }

  void reserveIsValidated() {
    QFETCH(QString, resources);
    QFETCH(QString, expected);
    MasterEngine engine(MasterOptions{});
    AgentDescription a;
    a.resources = res("cpus:4;mem:1024");
    engine.registerAgent(a, t0);
    FrameworkDescription eng;
    eng.roles = {RoleName("eng")};
    FrameworkId fw = *engine.subscribe(eng, t0);
    engine.allocate(t0);
    auto offers = effectsOf<SendOffers>(engine.takeEffects());
    LaunchOperation reserve;
    reserve.type = LaunchOperation::Type::kReserve;
    reserve.resources = res(resources.toStdString().c_str());
    absl::Status s = engine.accept(fw, {offers[0].offers[0].id}, {reserve}, 0s, t0);
    QVERIFY(!s.ok());
    QVERIFY2(QString::fromStdString(std::string(s.message())).contains(expected),
             std::string(s.message()).c_str());
    QVERIFY(QString::fromStdString(std::string(s.message())).contains("operations[0].reserve.resources"));
  }

  void aLiveTaskUnknownToTheMasterIsKilled() {
    Fixture f(t0);
    QVERIFY(f.engine.statusUpdate(f.agent, agentStatus("ghost", TaskState::kRunning, "g"), t0).ok());
    auto effects = f.engine.takeEffects();
    QCOMPARE(effectsOf<SendAckToAgent>(effects).size(), size_t(1));
    QCOMPARE(effectsOf<SendKillTask>(effects).size(), size_t(1));
  }

  void invalidRolesAreRejected_data() {
    QTest::addColumn<QString>("role");
    QTest::addColumn<bool>("valid");
    QTest::newRow("star") << "*" << true;
    QTest::newRow("simple") << "eng" << true;
    QTest::newRow("nested") << "eng/ml" << true;
    QTest::newRow("empty segment") << "eng//ml" << false;
    QTest::newRow("dot dot") << "../x" << false;
    QTest::newRow("space") << "a b" << false;
    QTest::newRow("leading dash") << "-x" << false;
  }

  void invalidRolesAreRejected() {
    QFETCH(QString, role);
    QFETCH(bool, valid);
    MasterEngine engine(MasterOptions{});
    FrameworkDescription d;
    d.roles = {RoleName(role.toStdString())};
    QCOMPARE(engine.subscribe(d, t0).ok(), valid);
  }

  void taskStateTransitions_data() {
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::addColumn<bool>("valid");
    auto row = [](const char* name, TaskState a, TaskState b, bool v) {
      QTest::newRow(name) << static_cast<int>(a) << static_cast<int>(b) << v;
    };
    row("staging->running", TaskState::kStaging, TaskState::kRunning, true);
    row("running->finished", TaskState::kRunning, TaskState::kFinished, true);
    row("finished->running", TaskState::kFinished, TaskState::kRunning, false);
    row("killed->killed", TaskState::kKilled, TaskState::kKilled, false);
    row("unreachable->running", TaskState::kUnreachable, TaskState::kRunning, true);
    row("running->staging", TaskState::kRunning, TaskState::kStaging, false);
    row("killing->running", TaskState::kKilling, TaskState::kRunning, false);
  }

  void taskStateTransitions() {
    QFETCH(int, from);
    QFETCH(int, to);
    QFETCH(bool, valid);
    QCOMPARE(isValidTransition(static_cast<TaskState>(from), static_cast<TaskState>(to)), valid);
  }
};

QTEST_APPLESS_MAIN(MasterEngineTest)
#include "master_engine_test.moc"
