// Dynamic reservations end to end through the master core (MasterEngine with its allocator):
// a framework RESERVEs offered resources for its role and launches on them in the same ACCEPT,
// the reserved part is offered only to that role, quota counts what the role holds of it, and
// UNRESERVE gives it back to everyone.
#include <QtTest>
#include <map>
#include <string>
#include <vector>

#include "core/hierarchical_allocator.h"
#include "core/master_engine.h"

using namespace std::chrono_literals;
using namespace orch::core;

namespace {

Resources res(const char* text) {
  auto parsed = Resources::parse(text);
  if (!parsed.ok()) qFatal("fixture does not parse: %s", text);
  return *parsed;
}

AgentDescription agent(const std::string& host) {
  AgentDescription d;
  d.hostname = host;
  d.endpoint = host + ":5051";
  d.resources = res("cpus:4;mem:4096");
  return d;
}

FrameworkDescription framework(const std::string& name, const std::string& role) {
  FrameworkDescription d;
  d.name = name;
  d.user = "test";
  d.roles = {RoleName(role)};
  d.failover_timeout = 1h;
  return d;
}

std::map<FrameworkId, std::vector<OfferRecord>> offersIn(std::vector<Effect> effects) {
  std::map<FrameworkId, std::vector<OfferRecord>> out;
  for (Effect& effect : effects) {
    if (auto* offers = std::get_if<SendOffers>(&effect)) {
      auto& list = out[offers->framework];
      list.insert(list.end(), offers->offers.begin(), offers->offers.end());
    }
  }
  return out;
}

int64_t cpusOf(const ScalarQuantities& q) { return q.contains("cpus") ? q.at("cpus") : 0; }

const HierarchicalAllocator& allocatorOf(const MasterEngine& engine) {
  return dynamic_cast<const HierarchicalAllocator&>(engine.allocator());
}

LaunchOperation reserveOp(const char* resources, LaunchOperation::Type type) {
  LaunchOperation op;
  op.type = type;
  op.resources = res(resources);
  return op;
}

}  // namespace

class EngineReservationTest : public QObject {
  Q_OBJECT

 private slots:
  void reserveLaunchUnreserve() {
    MasterEngine engine{MasterOptions{}};
    TimePoint now = TimePoint{} + 1h;
    engine.registerAgent(agent("h1"), now);
    engine.registerAgent(agent("h2"), now);
    // eng may hold at most 3 cpus, reserved or not.
    QVERIFY(engine.setQuota(RoleName("eng"), Quota{Resources{}, res("cpus:3")}).ok());
    const FrameworkId eng = *engine.subscribe(framework("eng-fw", "eng"), now);
    const FrameworkId dev = *engine.subscribe(framework("dev-fw", "dev"), now);
    (void)engine.takeEffects();

    engine.allocate(now);
    auto offers = offersIn(engine.takeEffects());
    QCOMPARE(offers[eng].size(), size_t{1});
    const OfferRecord first = offers[eng].front();
    QCOMPARE(first.resources.scalar("cpus").milli(), int64_t{3000});  // capped by the limit
    for (const OfferRecord& o : offers[dev]) QVERIFY(engine.decline(dev, {o.id}, 0s, now).ok());

    // RESERVE and LAUNCH on the reserved resources in one ACCEPT.
    LaunchOperation launch;
    launch.tasks.push_back(
        TaskSpec{TaskId("web-1"), "web", res("cpus(eng):2;mem(eng):512"), 3s, ""});
    QVERIFY(engine
                .accept(eng, {first.id},
                        {reserveOp("cpus(eng):2;mem(eng):1024", LaunchOperation::Type::kReserve),
                         launch},
                        0s, now)
                .ok());
    bool ran = false;
    for (Effect& effect : engine.takeEffects()) {
      if (auto* run = std::get_if<SendRunTasks>(&effect)) {
        ran = run->agent == first.agent && run->tasks.size() == 1 &&
              run->tasks[0].id.value() == "web-1";
      }
    }
    QVERIFY(ran);
    const AgentId host = first.agent;
    QCOMPARE(engine.agents().at(host).dynamic_reservations, res("cpus(eng):2;mem(eng):1024"));
    QVERIFY(allocatorOf(engine).agentTotal(host).contains(res("cpus(eng):2;mem(eng):1024")));
    // Quota counts the reserved resources the role holds.
    QCOMPARE(cpusOf(allocatorOf(engine).roleAllocation(RoleName("eng"))), int64_t{2000});

    // The free reserved part (mem(eng):512) is offered to eng only; eng stays within its limit.
    bool eng_got_reserved = false;
    for (int cycle = 0; cycle < 4; ++cycle) {
      now += 1s;
      engine.allocate(now);
      offers = offersIn(engine.takeEffects());
      QVERIFY(cpusOf(allocatorOf(engine).roleAllocation(RoleName("eng"))) <= 3000);
      for (const OfferRecord& o : offers[dev]) {
        QVERIFY2(o.resources.unreserved() == o.resources,
                 qPrintable(QString::fromStdString("dev was offered " + o.resources.toString())));
        QVERIFY(engine.decline(dev, {o.id}, 0s, now).ok());
      }
      for (const OfferRecord& o : offers[eng]) {
        eng_got_reserved = eng_got_reserved || o.resources.contains(res("mem(eng):512"));
        QVERIFY(o.resources.scalar("cpus").milli() <= 1000);  // 3 allowed, 2 held
        QVERIFY(engine.decline(eng, {o.id}, 0s, now).ok());
      }
    }
    QVERIFY(eng_got_reserved);

    // The task ends; its reserved resources come back, still reserved, and are offered to eng.
    TaskStatus finished;
    finished.task = TaskId("web-1");
    finished.framework = eng;
    finished.state = TaskState::kFinished;
    finished.source = StatusSource::kExecutor;
    finished.uuid = "u1";
    QVERIFY(engine.statusUpdate(host, finished, now).ok());
    (void)engine.takeEffects();
    QCOMPARE(cpusOf(allocatorOf(engine).roleAllocation(RoleName("eng"))), int64_t{0});

    std::optional<OfferRecord> reserved_offer;
    for (int cycle = 0; cycle < 3 && !reserved_offer; ++cycle) {
      now += 1s;
      engine.allocate(now);
      offers = offersIn(engine.takeEffects());
      for (const OfferRecord& o : offers[dev]) {
        QVERIFY(o.resources.unreserved() == o.resources);
        QVERIFY(engine.decline(dev, {o.id}, 0s, now).ok());
      }
      for (const OfferRecord& o : offers[eng]) {
        if (!reserved_offer && o.resources.contains(res("cpus(eng):2;mem(eng):1024"))) {
          reserved_offer = o;
        } else {
          QVERIFY(engine.decline(eng, {o.id}, 0s, now).ok());
        }
      }
    }
    QVERIFY(reserved_offer.has_value());

    // UNRESERVE: everyone may be offered them again.
    QVERIFY(engine
                .accept(eng, {reserved_offer->id},
                        {reserveOp("cpus(eng):2;mem(eng):1024", LaunchOperation::Type::kUnreserve)},
                        0s, now)
                .ok());
    (void)engine.takeEffects();
    QVERIFY(engine.agents().at(host).dynamic_reservations.empty());
    const Resources total = allocatorOf(engine).agentTotal(host);
    QCOMPARE(total.unreserved(), total);
    QCOMPARE(total, res("cpus:4;mem:4096"));

    // dev, alone now, is offered the whole agent, reserved no more.
    QVERIFY(engine.suppress(eng, now).ok());
    now += 1s;
    engine.allocate(now);
    offers = offersIn(engine.takeEffects());
    bool dev_got_host = false;
    for (const OfferRecord& o : offers[dev]) {
      if (o.agent == host) dev_got_host = o.resources == res("cpus:4;mem:4096");
    }
    QVERIFY(dev_got_host);
  }

  // A framework can only reserve for the role its offer is allocated to; the refused ACCEPT
  // returns the offer and names the problem.
  void reserveForAnotherRoleIsRefused() {
    MasterEngine engine{MasterOptions{}};
    const TimePoint now = TimePoint{} + 1h;
    engine.registerAgent(agent("h1"), now);
    const FrameworkId dev = *engine.subscribe(framework("dev-fw", "dev"), now);
    (void)engine.takeEffects();
    engine.allocate(now);
    auto offers = offersIn(engine.takeEffects());
    QCOMPARE(offers[dev].size(), size_t{1});
    const absl::Status s =
        engine.accept(dev, {offers[dev][0].id},
                      {reserveOp("cpus(eng):1", LaunchOperation::Type::kReserve)}, 0s, now);
    QCOMPARE(s.code(), absl::StatusCode::kInvalidArgument);
    QVERIFY2(s.message().find("'dev'") != std::string::npos, std::string(s.message()).c_str());
    QVERIFY(engine.agents().begin()->second.dynamic_reservations.empty());
    QCOMPARE(allocatorOf(engine).allocatedResources(), Resources{});
  }
};

QTEST_APPLESS_MAIN(EngineReservationTest)
#include "engine_reservation_test.moc"
