// Unit tests for the allocator's policy features: quota (validation, limit, guarantee and
// headroom), dynamic reservations, minimum allocatable resources and the refuse-filter store.
#include <QtTest>
#include <chrono>

#include "core/hierarchical_allocator.h"
#include "core/quota.h"
#include "core/refuse_filters.h"

using namespace std::chrono_literals;
using namespace orch::core;

namespace {

Resources res(const char* text) {
  auto parsed = Resources::parse(text);
  if (!parsed.ok()) qFatal("fixture does not parse: %s", text);
  return *parsed;
}

FrameworkCapabilities caps(const char* role) { return FrameworkCapabilities{{RoleName(role)}, false}; }

const TimePoint kT0 = TimePoint{} + 1000s;

}  // namespace

class AllocatorPolicyTest : public QObject {
  Q_OBJECT

 private slots:
  void validateQuota_data() {
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("guarantee");
    QTest::addColumn<QString>("limit");
    QTest::addColumn<QString>("error");  // empty: valid
    QTest::newRow("ok") << "eng" << "cpus:2;mem:1024" << "cpus:4" << "";
    QTest::newRow("limit only") << "eng" << "" << "cpus:4" << "";
    QTest::newRow("equal") << "eng" << "cpus:4" << "cpus:4" << "";
    QTest::newRow("guarantee above limit") << "eng" << "cpus:5" << "cpus:4" << "exceeds its limit";
    QTest::newRow("ranges") << "eng" << "ports:[1-2]" << "" << "not a scalar";
    QTest::newRow("reserved") << "eng" << "cpus(eng):1" << "" << "is reserved";
    QTest::newRow("star role") << "*" << "cpus:1" << "" << "role '*' is invalid";
    QTest::newRow("empty role") << "" << "cpus:1" << "" << "is invalid";
  }
  void validateQuota() {
    QFETCH(QString, role);
    QFETCH(QString, guarantee);
    QFETCH(QString, limit);
    QFETCH(QString, error);
    const Quota quota{res(guarantee.toStdString().c_str()), res(limit.toStdString().c_str())};
    const absl::Status status = orch::core::validateQuota(role.toStdString(), quota);
    if (error.isEmpty()) {
      QVERIFY2(status.ok(), std::string(status.message()).c_str());
    } else {
      QVERIFY(!status.ok());
      QVERIFY2(QString::fromStdString(std::string(status.message())).contains(error),
               std::string(status.message()).c_str());
    }
  }

  void roleIsWithinTree() {
    QVERIFY(roleIsWithin("eng", "eng"));
    QVERIFY(roleIsWithin("eng/ml", "eng"));
    QVERIFY(!roleIsWithin("engineering", "eng"));
    QVERIFY(!roleIsWithin("eng", "eng/ml"));
  }

  void setQuotaRejectsInvalidAndReportsQuotas() {
    HierarchicalAllocator a({});
    QVERIFY(!a.setQuota(RoleName("eng"), Quota{res("cpus:5"), res("cpus:1")}).ok());
    QVERIFY(a.quotas().empty());
    QVERIFY(a.setQuota(RoleName("eng"), Quota{res("cpus:1"), res("cpus:5")}).ok());
    QCOMPARE(a.quotas().size(), size_t{1});
    QCOMPARE(a.quotas().at(RoleName("eng")).limit, res("cpus:5"));
    a.removeQuota(RoleName("eng"));
    QVERIFY(a.quotas().empty());
    a.setWeight(RoleName("eng"), 2.5);
    a.setWeight(RoleName("ops"), -1);  // ignored
    QCOMPARE(a.weights().size(), size_t{1});
    QCOMPARE(a.weights().at(RoleName("eng")), 2.5);
  }

  void limitCapsOffersAndStopsTheRole() {
    HierarchicalAllocator a({});
    QVERIFY(a.setQuota(RoleName("eng"), Quota{Resources{}, res("cpus:6")}).ok());
    a.addAgent(AgentId("a1"), res("cpus:4;mem:4096"), {});
    a.addAgent(AgentId("a2"), res("cpus:4;mem:4096"), {});
    a.addAgent(AgentId("a3"), res("cpus:4;mem:4096"), {});
    a.addFramework(FrameworkId("f"), caps("eng/ml"));  // the limit covers the subtree
    const auto grants = a.allocate(kT0);
    QCOMPARE(grants.size(), size_t{2});
    QCOMPARE(grants[0].resources, res("cpus:4;mem:4096"));
    QCOMPARE(grants[1].resources, res("cpus:2;mem:4096"));  // capped at the limit
    QCOMPARE(a.roleAllocation(RoleName("eng")).at("cpus"), int64_t{6000});
    QVERIFY(a.allocate(kT0).empty());  // at the limit: nothing, not even mem alone
    // Another role takes the rest.
    a.addFramework(FrameworkId("g"), caps("ops"));
    const auto more = a.allocate(kT0);
    QCOMPARE(more.size(), size_t{2});
    QCOMPARE(more[0].framework, FrameworkId("g"));
  }

  void guaranteeIsHeldBackAndThenMet() {
    HierarchicalAllocator a({});
    QVERIFY(a.setQuota(RoleName("prod"), Quota{res("cpus:8"), Resources{}}).ok());
    for (int i = 0; i < 4; ++i) a.addAgent(AgentId("a" + std::to_string(i)), res("cpus:4;mem:4096"), {});
    a.addFramework(FrameworkId("dev-fw"), caps("dev"));
    auto grants = a.allocate(kT0);
    QCOMPARE(grants.size(), size_t{2});  // two agents (8 cpus) held back for prod
    a.addFramework(FrameworkId("prod-fw"), caps("prod"));
    grants = a.allocate(kT0);
    QCOMPARE(grants.size(), size_t{2});
    for (const OfferGrant& g : grants) QCOMPARE(g.framework, FrameworkId("prod-fw"));
    // Once met, the guarantee holds nothing back: returned resources go to whoever is lowest.
    a.recoverResources(FrameworkId("dev-fw"), grants[0].agent, res("cpus:4;mem:4096"), 0s, kT0);
  }

  void guaranteeServedFirstInAFullCluster() {
    HierarchicalAllocator a({});
    a.addAgent(AgentId("a1"), res("cpus:4;mem:4096"), {});
    a.addFramework(FrameworkId("dev-fw"), caps("dev"));
    a.addFramework(FrameworkId("prod-fw"), caps("prod"));
    // dev holds less than prod, so plain DRF would favour dev; the guarantee wins.
    QVERIFY(a.setQuota(RoleName("prod"), Quota{res("cpus:1"), Resources{}}).ok());
    auto grants = a.allocate(kT0);
    QCOMPARE(grants.size(), size_t{1});
    QCOMPARE(grants[0].framework, FrameworkId("prod-fw"));
  }

  void reserveFreeResources() {
    HierarchicalAllocator a({});
    a.addAgent(AgentId("a1"), res("cpus:4;mem:4096"), {});
    QVERIFY(a.reserve(AgentId("a1"), res("cpus:2;mem:1024"), RoleName("eng"), std::nullopt).ok());
    QCOMPARE(a.agentTotal(AgentId("a1")), res("cpus:2;mem:3072;cpus(eng):2;mem(eng):1024"));
    a.addFramework(FrameworkId("ops-fw"), caps("ops"));
    auto grants = a.allocate(kT0);
    QCOMPARE(grants.size(), size_t{1});
    QCOMPARE(grants[0].resources, res("cpus:2;mem:3072"));  // the reservation is not offered
    a.addFramework(FrameworkId("eng-fw"), caps("eng"));
    grants = a.allocate(kT0);
    QCOMPARE(grants.size(), size_t{1});
    QCOMPARE(grants[0].resources, res("cpus(eng):2;mem(eng):1024"));
    // Unreserving what eng holds, as its offer operation: it stays held, now unreserved.
    QVERIFY(a.unreserve(AgentId("a1"), res("cpus(eng):2;mem(eng):1024"), FrameworkId("eng-fw")).ok());
    QCOMPARE(a.allocated(FrameworkId("eng-fw")), res("cpus:2;mem:1024"));
    QCOMPARE(a.agentTotal(AgentId("a1")), res("cpus:4;mem:4096"));
  }

  void reserveHeldResourcesAsOfferOperation() {
    HierarchicalAllocator a({});
    a.addAgent(AgentId("a1"), res("cpus:4;mem:4096"), {});
    a.addFramework(FrameworkId("f"), caps("eng"));
    QCOMPARE(a.allocate(kT0).size(), size_t{1});
    QVERIFY(a.reserve(AgentId("a1"), res("cpus:1"), RoleName("eng"), FrameworkId("f")).ok());
    QCOMPARE(a.allocated(FrameworkId("f")), res("cpus:3;mem:4096;cpus(eng):1"));
    a.recoverResources(FrameworkId("f"), AgentId("a1"), res("cpus(eng):1"), std::nullopt, kT0);
    QCOMPARE(a.available(AgentId("a1")), res("cpus(eng):1"));
  }

  void reservationErrors_data() {
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("resources");
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown agent") << "nope" << "cpus:1" << "eng" << "unknown agent 'nope'";
    QTest::newRow("star") << "a1" << "cpus:1" << "*" << "name the role";
    QTest::newRow("too much") << "a1" << "cpus:9" << "eng" << "is not free";
    QTest::newRow("already reserved") << "a1" << "cpus(x):1" << "eng" << "must be non-empty and unreserved";
    QTest::newRow("empty") << "a1" << "" << "eng" << "must be non-empty";
  }
  void reservationErrors() {
    QFETCH(QString, agent);
    QFETCH(QString, resources);
    QFETCH(QString, role);
    QFETCH(QString, error);
    HierarchicalAllocator a({});
    a.addAgent(AgentId("a1"), res("cpus:4;mem:4096"), {});
    const absl::Status s = a.reserve(AgentId(agent.toStdString()), res(resources.toStdString().c_str()),
                                     RoleName(role.toStdString()), std::nullopt);
    QVERIFY(!s.ok());
    QVERIFY2(QString::fromStdString(std::string(s.message())).contains(error),
             std::string(s.message()).c_str());
    QCOMPARE(a.agentTotal(AgentId("a1")), res("cpus:4;mem:4096"));  // unchanged
  }

  void unreserveErrors() {
    HierarchicalAllocator a({});
    a.addAgent(AgentId("a1"), res("cpus:4;cpus(eng):2"), {});
    QVERIFY(!a.unreserve(AgentId("a1"), res("cpus:1"), std::nullopt).ok());       // not reserved
    QVERIFY(!a.unreserve(AgentId("a1"), res("cpus(eng):3"), std::nullopt).ok());  // too much
    QVERIFY(!a.unreserve(AgentId("a1"), res("cpus(eng):1"), FrameworkId("f")).ok());  // not held
    QVERIFY(a.unreserve(AgentId("a1"), res("cpus(eng):2"), std::nullopt).ok());
    QCOMPARE(a.agentTotal(AgentId("a1")), res("cpus:6"));
  }

  void minAllocatableResources() {
    AllocatorOptions options;
    options.min_allocatable = {res("cpus:1;mem:512"), res("gpus:1")};
    HierarchicalAllocator a(options);
    a.addAgent(AgentId("small"), res("cpus:0.5;mem:4096"), {});
    a.addAgent(AgentId("big"), res("cpus:2;mem:1024"), {});
    a.addAgent(AgentId("gpu"), res("cpus:0.1;mem:64;gpus:1"), {});
    a.addFramework(FrameworkId("f"), FrameworkCapabilities{{RoleName("r")}, true});
    QStringList agents;
    for (const OfferGrant& g : a.allocate(kT0)) agents << QString::fromStdString(g.agent.value());
    QCOMPARE(agents, (QStringList{"big", "gpu"}));
  }

  void refuseFiltersKeepLaterDeadlineAndExpire() {
    RefuseFilters f;
    f.refuse(3, 7, kT0 + 5s);
    f.refuse(3, 7, kT0 + 10s);  // later wins
    f.refuse(3, 7, kT0 + 1s);   // earlier is ignored
    f.refuse(130, 7, kT0 + 2s);
    QCOMPARE(f.size(), size_t{2});
    QVERIFY(f.refused(3, 7));
    QVERIFY(f.refused(130, 7));
    QVERIFY(!f.refused(3, 8));
    QCOMPARE(f.word(7, 2), uint64_t{1} << 2);  // framework 130 = word 2, bit 2
    f.expire(kT0 + 2s);
    QVERIFY(!f.refused(130, 7));
    QVERIFY(f.refused(3, 7));
    f.expire(kT0 + 9s);
    QVERIFY(f.refused(3, 7));
    f.expire(kT0 + 10s);
    QVERIFY(!f.refused(3, 7));
    QCOMPARE(f.size(), size_t{0});
  }

  void refuseFiltersClearByFrameworkAndAgent() {
    RefuseFilters f;
    for (uint32_t agent = 0; agent < 5; ++agent) {
      f.refuse(1, agent, kT0 + 5s);
      f.refuse(2, agent, kT0 + 5s);
    }
    f.clearFramework(1);
    QCOMPARE(f.size(), size_t{5});
    QVERIFY(!f.refused(1, 3));
    QVERIFY(f.refused(2, 3));
    f.clearAgent(3);
    QCOMPARE(f.size(), size_t{4});
    QVERIFY(!f.refused(2, 3));
    f.refuse(2, 3, kT0 + 1s);  // a reused slot starts clean
    f.expire(kT0 + 1s);
    QCOMPARE(f.size(), size_t{4});
    f.expire(kT0 + 5s);
    QCOMPARE(f.size(), size_t{0});
  }

  // Worst case shape in miniature: every framework refuses every agent; nothing is offered and
  // after the filters expire everything is offered again.
  void allDecliningThenExpiry() {
    HierarchicalAllocator a({});
    for (int i = 0; i < 50; ++i) a.addAgent(AgentId("a" + std::to_string(i)), res("cpus:4;mem:4096"), {});
    for (int f = 0; f < 70; ++f) a.addFramework(FrameworkId("f" + std::to_string(f)), caps("r"));
    for (int f = 0; f < 70; ++f) {
      for (int i = 0; i < 50; ++i) {
        a.recoverResources(FrameworkId("f" + std::to_string(f)), AgentId("a" + std::to_string(i)),
                           Resources{}, 60s, kT0);
      }
    }
    QCOMPARE(a.refuseFilterCount(), size_t{3500});
    QVERIFY(a.allocate(kT0 + 59s).empty());
    a.revive(FrameworkId("f69"));  // revive clears that framework's filters
    QCOMPARE(a.allocate(kT0 + 59s).size(), size_t{50});
    QCOMPARE(a.refuseFilterCount(), size_t{3450});
    a.allocate(kT0 + 60s);
    QCOMPARE(a.refuseFilterCount(), size_t{0});
  }
};

QTEST_APPLESS_MAIN(AllocatorPolicyTest)
#include "allocator_policy_test.moc"
