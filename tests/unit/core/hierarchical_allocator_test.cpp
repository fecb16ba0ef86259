// Unit tests for the hierarchical DRF allocator: who gets offers, filters, suppression, agent and
// framework lifecycle, reservations, gpus, and convergence to weighted fair shares.
#include "core/hierarchical_allocator.h"

#include <QtTest>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using orch::core::AgentId;
using orch::core::Allocator;
using orch::core::FrameworkCapabilities;
using orch::core::FrameworkId;
using orch::core::HierarchicalAllocator;
using orch::core::OfferGrant;
using orch::core::Resources;
using orch::core::RoleName;
using orch::core::Scalar;
using orch::core::TimePoint;

namespace {

Resources res(const char* text) {
  auto parsed = Resources::parse(text);
  if (!parsed.ok()) qFatal("test fixture does not parse: %s", text);
  return *parsed;
}

FrameworkCapabilities caps(const char* role, bool gpus = false) {
  return FrameworkCapabilities{{RoleName(role)}, gpus};
}

const TimePoint kT0 = TimePoint{} + 1000s;
const AgentId kA1("a1");
const AgentId kA2("a2");
const FrameworkId kF1("f1");
const FrameworkId kF2("f2");

// "f1@a1" per grant, in order: compact and readable when a comparison fails.
QStringList who(const std::vector<OfferGrant>& grants) {
  QStringList out;
  for (const OfferGrant& g : grants) {
    out << QString::fromStdString(g.framework.value() + "@" + g.agent.value());
  }
  return out;
}

}  // namespace

class HierarchicalAllocatorTest : public QObject {
  Q_OBJECT

 private slots:
  void offersGoToLowestShare() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addAgent(kA2, res("cpus:4;mem:4096"), {});
    a.addAgent(AgentId("a3"), res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    a.addFramework(kF2, caps("r"));
    // Equal shares: the tie goes by name; then f1 is ahead, so a2 goes to f2, and so on.
    const auto grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"f1@a1", "f2@a2", "f1@a3"}));
    QCOMPARE(grants[0].resources, res("cpus:4;mem:4096"));
    QCOMPARE(grants[0].role, RoleName("r"));
    QVERIFY(a.allocate(kT0).empty());  // everything is allocated

    // f1 gives a1 back: f1 holds a3 only (share 1/3), f2 holds a2 (1/3): the tie goes to f1.
    a.recoverResources(kF1, kA1, res("cpus:4;mem:4096"), std::nullopt, kT0);
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1"}));
    // Now f1 holds two agents; when a2 comes back from f2 it goes to f2 again.
    a.recoverResources(kF2, kA2, res("cpus:4;mem:4096"), std::nullopt, kT0);
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f2@a2"}));
  }

  void lowestShareAcrossRolesHonoursWeights() {
    HierarchicalAllocator a({});
    for (int i = 0; i < 4; ++i)
      a.addAgent(AgentId("a" + std::to_string(i)), res("cpus:1;mem:1024"), {});
    a.addFramework(kF1, caps("light"));
    a.addFramework(kF2, caps("heavy"));
    a.setWeight(RoleName("heavy"), 3.0);
    // heavy: 0, light: 0 -> heavy (name); heavy 0.25/3 < light 0 ? no -> light; then heavy twice.
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f2@a0", "f1@a1", "f2@a2", "f2@a3"}));
    QCOMPARE(a.roleShare(RoleName("heavy")), 0.75 / 3.0);
    QCOMPARE(a.roleShare(RoleName("light")), 0.25);
  }

  void declineFilterIsRespectedAndExpires() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    a.addFramework(kF2, caps("r"));
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1"}));
    a.recoverResources(kF1, kA1, res("cpus:4;mem:4096"), 5s, kT0);
    QCOMPARE(who(a.allocate(kT0 + 1s)), (QStringList{"f2@a1"}));
    a.recoverResources(kF2, kA1, res("cpus:4;mem:4096"), 10s, kT0 + 1s);
    QVERIFY(a.allocate(kT0 + 2s).empty());                        // both filtered
    QVERIFY(a.allocate(kT0 + 4999ms).empty());                    // f1's filter still holds
    QCOMPARE(who(a.allocate(kT0 + 5s)), (QStringList{"f1@a1"}));  // expired at now + 5s
    // A zero refusal is no filter at all.
    a.recoverResources(kF1, kA1, res("cpus:4;mem:4096"), 0s, kT0 + 5s);
    QCOMPARE(who(a.allocate(kT0 + 5s)), (QStringList{"f1@a1"}));
  }

  void filterIsPerAgent() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1"}));
    a.recoverResources(kF1, kA1, res("cpus:4;mem:4096"), 60s, kT0);
    a.addAgent(kA2, res("cpus:4;mem:4096"), {});
    QCOMPARE(who(a.allocate(kT0 + 1s)), (QStringList{"f1@a2"}));
  }

  void suppressAndRevive() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    a.suppress(kF1);
    QVERIFY(a.allocate(kT0).empty());
    a.revive(kF1);
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1"}));
    // Revive also clears decline filters.
    a.recoverResources(kF1, kA1, res("cpus:4;mem:4096"), 3600s, kT0);
    QVERIFY(a.allocate(kT0 + 1s).empty());
    a.revive(kF1);
    QCOMPARE(who(a.allocate(kT0 + 2s)), (QStringList{"f1@a1"}));
  }

  void inactiveAgentsAndFrameworksAreSkipped() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addAgent(kA2, res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    a.setAgentActive(kA1, false);
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a2"}));
    a.setAgentActive(kA1, true);
    a.setFrameworkActive(kF1, false);
    QVERIFY(a.allocate(kT0).empty());
    QCOMPARE(a.allocated(kF1), res("cpus:4;mem:4096"));  // an inactive framework keeps its holdings
    a.setFrameworkActive(kF1, true);
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1"}));
  }

  void gpuAgentsOnlyToGpuFrameworks() {
    HierarchicalAllocator a({});
    a.addAgent(AgentId("gpu"), res("cpus:8;mem:8192;gpus:2"), {});
    a.addAgent(AgentId("plain"), res("cpus:8;mem:8192"), {});
    a.addFramework(FrameworkId("cpu-only"), caps("r"));
    auto grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"cpu-only@plain"}));
    a.addFramework(FrameworkId("ml"), caps("r", true));
    grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"ml@gpu"}));
    QCOMPARE(grants[0].resources.scalar("gpus"), Scalar::fromMilli(2000));
  }

  void reservedResourcesOnlyToTheirRole() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:2;mem:2048;cpus(eng):2;mem(eng):1024"), {});
    a.addFramework(FrameworkId("ops-fw"), caps("ops"));
    auto grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"ops-fw@a1"}));
    QCOMPARE(grants[0].resources, res("cpus:2;mem:2048"));
    QCOMPARE(a.available(kA1), res("cpus(eng):2;mem(eng):1024"));  // held back for eng

    a.addFramework(FrameworkId("eng-fw"), caps("eng"));
    grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"eng-fw@a1"}));
    QCOMPARE(grants[0].role, RoleName("eng"));
    QCOMPARE(grants[0].resources, res("cpus(eng):2;mem(eng):1024"));
    QVERIFY(a.available(kA1).empty());

    // Given back, the unreserved part goes to the role furthest below its share (eng holds
    // nothing now): eng receives unreserved and reserved together.
    a.recoverResources(FrameworkId("eng-fw"), kA1, res("cpus(eng):2;mem(eng):1024"), std::nullopt,
                       kT0);
    a.recoverResources(FrameworkId("ops-fw"), kA1, res("cpus:2;mem:2048"), std::nullopt, kT0);
    grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"eng-fw@a1"}));
    QCOMPARE(grants[0].resources, res("cpus:2;mem:2048;cpus(eng):2;mem(eng):1024"));
  }

  void smallRemaindersAreNotOffered() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:0.005;mem:16;disk:100"), {});
    a.addFramework(kF1, caps("r"));
    QVERIFY(a.allocate(kT0).empty());
    // cpus alone at the minimum is enough.
    a.addAgent(kA2, res("cpus:0.01"), {});
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a2"}));
  }

  void recoverReturnsResources() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096;ports:[31000-31009]"), {});
    a.addFramework(kF1, caps("r"));
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1"}));
    // Accept a task of 1 cpu, 1 GB and one port; the rest comes back.
    const Resources task = res("cpus:1;mem:1024;ports:[31000]");
    a.recoverResources(kF1, kA1, res("cpus:3;mem:3072;ports:[31001-31009]"), std::nullopt, kT0);
    QCOMPARE(a.allocated(kF1), task);
    QCOMPARE(a.available(kA1), res("cpus:3;mem:3072;ports:[31001-31009]"));
    QCOMPARE(a.allocatedResources(), task);
    const auto grants = a.allocate(kT0);
    QCOMPARE(who(grants), (QStringList{"f1@a1"}));
    QCOMPARE(grants[0].resources, res("cpus:3;mem:3072;ports:[31001-31009]"));
    // Recovering more than held is clamped; unknown agents and frameworks are ignored.
    a.recoverResources(kF1, kA1, res("cpus:100;mem:100000;ports:[1-65535]"), std::nullopt, kT0);
    a.recoverResources(kF1, AgentId("nope"), res("cpus:1"), std::nullopt, kT0);
    a.recoverResources(FrameworkId("nope"), kA1, res("cpus:1"), std::nullopt, kT0);
    QVERIFY(a.allocated(kF1).empty());
    QCOMPARE(a.available(kA1), a.totalResources());
  }

  void addAgentWithUsedResources() {
    HierarchicalAllocator a({});
    a.addFramework(kF1, caps("r"));
    a.addFramework(kF2, caps("r"));
    a.addAgent(kA1, res("cpus:4;mem:4096"), {{kF1, RoleName("r"), res("cpus:3;mem:1024")}});
    QCOMPARE(a.allocated(kF1), res("cpus:3;mem:1024"));
    QCOMPARE(a.available(kA1), res("cpus:1;mem:3072"));
    QCOMPARE(a.frameworkShare(kF1, RoleName("r")), 0.75);
    // f1 already holds a lot, so both free parts go to f2.
    a.addAgent(kA2, res("cpus:4;mem:4096"), {});
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f2@a1", "f1@a2"}));

    // A framework that has not re-subscribed yet: counted, but offered nothing until it does.
    HierarchicalAllocator b({});
    b.addAgent(kA1, res("cpus:4;mem:4096"), {{kF1, RoleName("r"), res("cpus:4;mem:4096")}});
    b.addAgent(kA2, res("cpus:4;mem:4096"), {});
    QCOMPARE(b.allocated(kF1), res("cpus:4;mem:4096"));
    QVERIFY(b.allocate(kT0).empty());
    b.addFramework(kF1, caps("r"));
    QCOMPARE(who(b.allocate(kT0)), (QStringList{"f1@a2"}));
  }

  void removeFrameworkFreesItsResources() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addAgent(kA2, res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1", "f1@a2"}));
    a.removeFramework(kF1);
    QVERIFY(a.allocatedResources().empty());
    QCOMPARE(a.available(kA1), res("cpus:4;mem:4096"));
    QVERIFY(a.allocated(kF1).empty());
    a.addFramework(kF2, caps("r"));
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f2@a1", "f2@a2"}));
  }

  void removeAgentDropsItsAllocations() {
    HierarchicalAllocator a({});
    a.addAgent(kA1, res("cpus:4;mem:4096"), {});
    a.addAgent(kA2, res("cpus:4;mem:4096"), {});
    a.addFramework(kF1, caps("r"));
    a.addFramework(kF2, caps("r"));
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a1", "f2@a2"}));
    a.removeAgent(kA1);
    QVERIFY(a.allocated(kF1).empty());
    QCOMPARE(a.totalResources(), res("cpus:4;mem:4096"));
    QCOMPARE(a.frameworkShare(kF2, RoleName("r")), 1.0);
    a.addAgent(AgentId("a3"), res("cpus:4;mem:4096"), {});
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"f1@a3"}));
  }

  void hierarchicalRoles() {
    HierarchicalAllocator a({});
    for (int i = 0; i < 3; ++i)
      a.addAgent(AgentId("a" + std::to_string(i)), res("cpus:1;mem:1024"), {});
    a.addFramework(FrameworkId("ml"), caps("eng/ml"));
    a.addFramework(FrameworkId("web"), caps("eng/web"));
    a.addFramework(FrameworkId("ops"), caps("ops"));
    // a0: eng subtree (tie, "eng" < "ops") -> eng/ml; a1: ops (eng holds 1/3); a2: eng/web.
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"ml@a0", "ops@a1", "web@a2"}));
    QCOMPARE(a.roleShare(RoleName("eng/ml")), 1.0 / 3.0);
    // The parent path weighs the whole subtree: with "eng" at weight 4, eng (2/4 / 4) is below
    // ops (1/4), so a new agent goes to the eng subtree even though eng holds more.
    a.setWeight(RoleName("eng"), 4.0);
    a.addAgent(AgentId("a3"), res("cpus:1;mem:1024"), {});
    QCOMPARE(who(a.allocate(kT0)), (QStringList{"ml@a3"}));
  }

  // Two roles with weights 1 and 3; each framework keeps accepting one small task per offer and
  // returns the rest. When the cluster is full they hold about 25% and 75%.
  void weightedSharesConverge() {
    HierarchicalAllocator a({});
    for (int i = 0; i < 100; ++i) {
      a.addAgent(AgentId("agent" + std::to_string(1000 + i)), res("cpus:4;mem:16384"), {});
    }
    a.addFramework(FrameworkId("one"), caps("w1"));
    a.addFramework(FrameworkId("three"), caps("w3"));
    a.setWeight(RoleName("w3"), 3.0);
    const Resources task = res("cpus:0.25;mem:1024");
    TimePoint now = kT0;
    int cycles = 0;
    for (; cycles < 1000; ++cycles) {
      const auto grants = a.allocate(now);
      if (grants.empty()) break;
      for (const OfferGrant& g : grants) {
        const Resources keep = g.resources.contains(task) ? task : Resources{};
        a.recoverResources(g.framework, g.agent, g.resources - keep, std::nullopt, now);
      }
      now += 1s;
    }
    QVERIFY2(cycles < 1000, "the cluster never filled up");
    const double total = a.totalResources().scalar("cpus").toDouble();
    const double one = a.allocated(FrameworkId("one")).scalar("cpus").toDouble() / total;
    const double three = a.allocated(FrameworkId("three")).scalar("cpus").toDouble() / total;
    QVERIFY2(one + three > 0.99, qPrintable(QString("cluster not full: %1").arg(one + three)));
    QVERIFY2(std::abs(one - 0.25) < 0.03, qPrintable(QString("weight 1 holds %1").arg(one)));
    QVERIFY2(std::abs(three - 0.75) < 0.03, qPrintable(QString("weight 3 holds %1").arg(three)));
  }
};

QTEST_APPLESS_MAIN(HierarchicalAllocatorTest)
#include "hierarchical_allocator_test.moc"
