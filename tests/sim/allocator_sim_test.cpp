// Simulation scenarios: the real master core (MasterEngine and its allocator) with hundreds to
// thousands of simulated agents and frameworks under virtual time, talking to it only through its
// inputs and effects. They assert fairness (weighted DRF), no starvation, packing, quota
// guarantees, recovery from faults and determinism.
#include <QtTest>
#include <cmath>
#include <string>
#include <vector>

#include "sim_cluster.h"

using namespace std::chrono_literals;
using orch::core::Duration;
using orch::core::FrameworkId;
using orch::core::Quota;
using orch::core::Resources;
using orch::core::RoleName;
using orch::sim::Profile;
using orch::sim::SimCluster;
using orch::sim::SimFrameworkSpec;
using orch::sim::SimOptions;

// Every call a simulated agent or framework made into the engine succeeded.
#define QVERIFY_NO_SIM_ERRORS(sim) \
  QVERIFY2((sim).errors().empty(), (sim).errors().empty() ? "" : (sim).errors().front().c_str())

namespace {

Resources res(const char* text) {
  auto parsed = Resources::parse(text);
  if (!parsed.ok()) qFatal("fixture does not parse: %s", text);
  return *parsed;
}

SimOptions cluster(unsigned seed, int agents) {
  SimOptions o;
  o.seed = seed;
  o.agents = agents;
  o.agent_resources = res("cpus:16;mem:65536;disk:100000;ports:[31000-32000]");
  return o;
}

SimFrameworkSpec batch(const std::string& name, const std::string& role, const char* task,
                       Duration duration = 8s) {
  SimFrameworkSpec s;
  s.name = name;
  s.role = RoleName(role);
  s.profile = Profile::kBatch;
  s.task = res(task);
  s.task_duration = duration;
  s.demand = -1;
  return s;
}

// Runs a mixed, faulty workload and returns its trace hash.
uint64_t faultyRun(unsigned seed) {
  SimCluster sim(cluster(seed, 200));
  for (int i = 0; i < 10; ++i) {
    sim.addFramework(batch("batch" + std::to_string(i), "r" + std::to_string(i % 3),
                           "cpus:1;mem:2048"));
  }
  SimFrameworkSpec service;
  service.name = "service";
  service.role = RoleName("r0");
  service.profile = Profile::kService;
  service.task = res("cpus:2;mem:4096");
  service.task_duration = 600s;
  service.demand = 50;
  sim.addFramework(service);
  for (int cycle = 0; cycle < 120; ++cycle) {
    if (cycle % 20 == 10) sim.loseRandomAgents(3);
    if (cycle % 20 == 15) sim.addAgents(3);
    if (cycle == 40) sim.disconnect(sim.frameworkNamed("batch3"));
    if (cycle == 80) sim.reconnect(sim.frameworkNamed("batch3"));
    sim.step();
  }
  if (!sim.errors().empty()) qWarning("%s", sim.errors().front().c_str());
  return sim.errors().empty() ? sim.traceHash() : 0;
}

}  // namespace

class AllocatorSimTest : public QObject {
  Q_OBJECT

 private slots:
  // Three roles with weights 1, 2, 3 and endless demand: dominant shares approach
  // w / sum(w) of the cluster (the weighted DRF ideal), within 5 percentage points.
  void sharesConvergeToWeightedDrf() {
    SimCluster sim(cluster(7, 500));
    const std::vector<std::pair<std::string, double>> roles = {{"a", 1}, {"b", 2}, {"c", 3}};
    for (const auto& [role, weight] : roles) {
      QVERIFY(sim.engine().setWeight(RoleName(role), weight).ok());
      for (int f = 0; f < 3; ++f) {
        sim.addFramework(batch(role + std::to_string(f), role, "cpus:1;mem:1024", 6s));
      }
    }
    sim.run(150);
    QVERIFY_NO_SIM_ERRORS(sim);
    std::vector<double> sums(roles.size(), 0.0);
    const int samples = 50;
    for (int i = 0; i < samples; ++i) {
      sim.step();
      for (size_t r = 0; r < roles.size(); ++r) sums[r] += sim.dominantShare(RoleName(roles[r].first));
    }
    const double used = sim.utilisation("cpus");
    QVERIFY2(used > 0.9, qPrintable(QString("cpus utilisation %1").arg(used)));
    for (size_t r = 0; r < roles.size(); ++r) {
      const double share = sums[r] / samples;
      const double ideal = used * roles[r].second / 6.0;
      QVERIFY2(std::abs(share - ideal) <= 0.05,
               qPrintable(QString("role %1: share %2, weighted DRF ideal %3")
                              .arg(QString::fromStdString(roles[r].first))
                              .arg(share)
                              .arg(ideal)));
    }
  }

  // Frameworks of one role with different task shapes: DRF equalises dominant shares.
  void frameworksOfOneRoleShareByDominantResource() {
    SimCluster sim(cluster(11, 300));
    const FrameworkId cpu = sim.addFramework(batch("cpu-heavy", "r", "cpus:2;mem:1024", 5s));
    const FrameworkId mem = sim.addFramework(batch("mem-heavy", "r", "cpus:0.5;mem:8192", 5s));
    sim.run(120);
    QVERIFY_NO_SIM_ERRORS(sim);
    const double cpu_share =
        sim.allocator().frameworkShare(cpu, RoleName("r"));  // dominant: cpus
    const double mem_share = sim.allocator().frameworkShare(mem, RoleName("r"));  // mem
    QVERIFY2(std::abs(cpu_share - mem_share) <= 0.05,
             qPrintable(QString("dominant shares %1 vs %2").arg(cpu_share).arg(mem_share)));
  }

  // 1,000 frameworks (10 roles) including a greedy one on 400 agents: every framework gets to
  // run tasks, none starves, and the greedy one holds no more than a fair slice.
  void noStarvationWithThousandFrameworks() {
    SimCluster sim(cluster(3, 400));
    std::vector<FrameworkId> ids;
    for (int i = 0; i < 999; ++i) {
      SimFrameworkSpec s = batch("fw" + std::to_string(i), "role" + std::to_string(i % 10),
                                 "cpus:1;mem:1024", 20s);
      s.demand = 30;
      ids.push_back(sim.addFramework(s));
    }
    SimFrameworkSpec greedy;
    greedy.name = "greedy";
    greedy.role = RoleName("role0");
    greedy.profile = Profile::kGreedy;
    greedy.task = res("cpus:1;mem:1024");
    const FrameworkId g = sim.addFramework(greedy);
    sim.run(150);
    QVERIFY_NO_SIM_ERRORS(sim);
    int starved = 0;
    for (const FrameworkId& id : ids) starved += sim.stats(id).launched == 0 ? 1 : 0;
    QCOMPARE(starved, 0);
    const double greedy_cpus =
        static_cast<double>(sim.allocator().allocated(g).scalar("cpus").milli()) /
        (400.0 * 16 * 1000);
    QVERIFY2(greedy_cpus < 0.05, qPrintable(QString("greedy holds %1 of cpus").arg(greedy_cpus)));
  }

  // Small tasks that tile agents exactly: the cluster packs to at least 90% cpus.
  void packingReachesNinetyPercent() {
    SimCluster sim(cluster(5, 1000));
    for (int i = 0; i < 20; ++i) {
      sim.addFramework(batch("pack" + std::to_string(i), "r" + std::to_string(i % 4),
                             "cpus:1;mem:4096", 30s));
    }
    sim.run(60);
    QVERIFY_NO_SIM_ERRORS(sim);
    double low = 1.0;
    for (int i = 0; i < 20; ++i) {
      sim.step();
      low = std::min(low, sim.utilisation("cpus"));
    }
    QVERIFY2(low >= 0.9, qPrintable(QString("lowest cpus utilisation %1").arg(low)));
  }

  // A guarantee with no demand is held back from a greedy role; once demand appears it is
  // met in the very next cycle.
  void quotaGuaranteeMetWithinOneCycle() {
    SimCluster sim(cluster(9, 100));
    QVERIFY(sim.engine()
                .setQuota(RoleName("prod"), Quota{res("cpus:160;mem:100000"), Resources{}})
                .ok());
    SimFrameworkSpec greedy;
    greedy.name = "greedy";
    greedy.role = RoleName("dev");
    greedy.profile = Profile::kGreedy;
    greedy.task = res("cpus:1;mem:1024");
    sim.addFramework(greedy);
    sim.run(10);
    QVERIFY_NO_SIM_ERRORS(sim);
    // 1600 cpus in all; the guarantee of 160 is still free.
    QVERIFY(sim.utilisation("cpus") <= 0.9 + 1e-9);
    const FrameworkId prod = sim.addFramework(batch("prod-fw", "prod", "cpus:1;mem:512", 600s));
    sim.step();
    QVERIFY2(sim.stats(prod).running >= 160,
             qPrintable(QString("prod runs %1 tasks").arg(sim.stats(prod).running)));
  }

  // A limit is never exceeded, whatever the demand.
  void quotaLimitHolds() {
    SimCluster sim(cluster(13, 100));
    QVERIFY(sim.engine()
                .setQuota(RoleName("capped"), Quota{Resources{}, res("cpus:100")})
                .ok());
    sim.addFramework(batch("capped-fw", "capped", "cpus:1;mem:256", 30s));
    sim.addFramework(batch("other", "other", "cpus:1;mem:256", 30s));
    for (int i = 0; i < 60; ++i) {
      sim.step();
      const auto held = sim.allocator().roleAllocation(RoleName("capped"));
      const int64_t cpus = held.contains("cpus") ? held.at("cpus") : 0;
      QVERIFY2(cpus <= 100'000, qPrintable(QString("capped holds %1 cpus").arg(cpus / 1000.0)));
    }
    QVERIFY(sim.utilisation("cpus") > 0.9);
  }

  // Agents lost, agents added, a framework away and back: books stay consistent, the lost
  // work is relaunched and the cluster is busy again.
  void recoversFromFaults() {
    SimCluster sim(cluster(21, 300));
    std::vector<FrameworkId> ids;
    for (int i = 0; i < 12; ++i) {
      ids.push_back(sim.addFramework(
          batch("f" + std::to_string(i), "r" + std::to_string(i % 3), "cpus:1;mem:2048", 10s)));
    }
    SimFrameworkSpec bursty;
    bursty.name = "bursty";
    bursty.role = RoleName("r1");
    bursty.profile = Profile::kBursty;
    bursty.task = res("cpus:4;mem:4096");
    bursty.task_duration = 5s;
    bursty.demand = 200;
    bursty.burst_every = 25;
    const FrameworkId b = sim.addFramework(bursty);
    sim.run(30);
    QVERIFY_NO_SIM_ERRORS(sim);
    sim.loseRandomAgents(60);
    sim.disconnect(ids[0]);
    const int64_t launched_before = sim.stats(ids[0]).launched;
    sim.run(30);
    QVERIFY_NO_SIM_ERRORS(sim);
    QCOMPARE(sim.stats(ids[0]).launched, launched_before);  // a disconnected framework gets nothing
    sim.addAgents(60);
    sim.reconnect(ids[0]);
    sim.run(60);
    QVERIFY_NO_SIM_ERRORS(sim);
    QVERIFY(sim.utilisation("cpus") > 0.9);
    int64_t lost = 0;
    for (const FrameworkId& id : ids) lost += sim.stats(id).lost;
    QVERIFY(lost > 0);
    QVERIFY(sim.stats(b).launched > 0);
    // The allocator's books equal what the engine's tasks on reachable agents hold: a lost
    // agent's capacity and tasks leave the fairness pool while it is unreachable (its tasks are
    // still in the task table, TASK_UNREACHABLE, and come back if it re-registers).
    const int64_t allocated = sim.allocator().allocatedResources().scalar("cpus").milli();
    int64_t table = 0, unreachable = 0;
    for (const auto& [key, task] : sim.engine().tasks()) {
      const int64_t cpus = task.spec.resources.scalar("cpus").milli();
      if (task.state == orch::core::TaskState::kUnreachable) {
        unreachable += cpus;
      } else {
        table += cpus;
      }
    }
    QCOMPARE(allocated, table);
    QVERIFY(unreachable > 0);
    QCOMPARE(table + unreachable, sim.heldByTasks()["cpus"]);
    QVERIFY(sim.errors().empty());
  }

  void sameSeedSameRun() {
    const uint64_t first = faultyRun(42);
    QCOMPARE(faultyRun(42), first);
    QVERIFY(faultyRun(43) != first);
  }
};

QTEST_APPLESS_MAIN(AllocatorSimTest)
#include "allocator_sim_test.moc"
