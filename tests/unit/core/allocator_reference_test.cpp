// Drives the hierarchical allocator and a brute-force reference allocator (fresh shares and a
// fresh sort for every decision) with the same random events on small clusters, and requires
// the same offers, one for one, and the same books after every step.
#include <QtTest>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/hierarchical_allocator.h"
#include "reference_allocator.h"

using namespace std::chrono_literals;
using orch::core::AgentId;
using orch::core::Allocator;
using orch::core::AllocatorOptions;
using orch::core::FrameworkCapabilities;
using orch::core::FrameworkId;
using orch::core::HierarchicalAllocator;
using orch::core::OfferGrant;
using orch::core::Resources;
using orch::core::RoleName;
using orch::core::Scalar;
using orch::core::TimePoint;
using orch::core::testing::ReferenceAllocator;

namespace {

QString describe(const std::vector<OfferGrant>& grants) {
  QStringList out;
  for (const OfferGrant& g : grants) {
    out << QString::fromStdString(g.framework.value() + "@" + g.agent.value() + "/" +
                                  g.role.value() + " " + g.resources.toString());
  }
  return out.join(" | ");
}

// One random scenario: both allocators see exactly the same calls.
class Scenario {
 public:
  explicit Scenario(unsigned seed) : rng_(seed), real_(options()), ref_(options()) {}

  // Returns an empty string on success, otherwise what differed.
  QString run(int steps) {
    const int roles = 1 + pick(3);
    for (int r = 0; r < roles; ++r) roles_.emplace_back("r" + std::to_string(r));
    for (const RoleName& role : roles_) {
      const double w = weight();
      both([&](Allocator& a) { a.setWeight(role, w); });
    }
    const int agents = 2 + pick(5);
    for (int i = 0; i < agents; ++i) addAgent();
    const int frameworks = 1 + pick(4);
    for (int i = 0; i < frameworks; ++i) addFramework();

    for (int step = 0; step < steps; ++step) {
      const int action = pick(20);
      if (action < 8) {
        const auto got = real_.allocate(now_);
        const auto want = ref_.allocate(now_);
        if (describe(got) != describe(want)) {
          QString shares;
          for (const RoleName& role : roles_) {
            shares += QString(" %1=%2")
                          .arg(QString::fromStdString(role.value()))
                          .arg(real_.roleShare(role));
          }
          return QString(
                     "step %1 allocate:\n  allocator: %2\n  reference: %3\n  role shares after:%4")
              .arg(step)
              .arg(describe(got), describe(want), shares);
        }
        for (const OfferGrant& g : got) respond(g);
      } else if (action < 11) {
        finishSomething();
      } else if (action == 11) {
        const FrameworkId fw = someFramework();
        both([&](Allocator& a) { a.suppress(fw); });
      } else if (action == 12) {
        const FrameworkId fw = someFramework();
        both([&](Allocator& a) { a.revive(fw); });
      } else if (action == 13) {
        const FrameworkId fw = someFramework();
        const bool active = pick(3) != 0;
        both([&](Allocator& a) { a.setFrameworkActive(fw, active); });
      } else if (action == 14) {
        const AgentId agent = someAgent();
        const bool active = pick(3) != 0;
        both([&](Allocator& a) { a.setAgentActive(agent, active); });
      } else if (action == 15) {
        const RoleName role = roles_[static_cast<size_t>(pick(static_cast<int>(roles_.size())))];
        const double w = weight();
        both([&](Allocator& a) { a.setWeight(role, w); });
      } else if (action == 16 && pick(3) == 0) {
        const FrameworkId fw = someFramework();
        both([&](Allocator& a) { a.removeFramework(fw); });
        forget([&](const FrameworkId& f, const AgentId&) { return f == fw; });
        addFramework();
      } else if (action == 17 && pick(3) == 0) {
        const AgentId agent = someAgent();
        both([&](Allocator& a) { a.removeAgent(agent); });
        forget([&](const FrameworkId&, const AgentId& ag) { return ag == agent; });
        agents_.erase(std::find(agents_.begin(), agents_.end(), agent));
        addAgent();
      } else {
        now_ += std::chrono::milliseconds(pick(3000));
      }
      if (QString diff = compareBooks(); !diff.isEmpty()) {
        return QString("step %1: %2").arg(step).arg(diff);
      }
    }
    return {};
  }

 private:
  static AllocatorOptions options() { return AllocatorOptions{}; }

  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
  double weight() {
    static const double kWeights[] = {0.5, 1.0, 1.0, 2.0, 3.0};
    return kWeights[pick(5)];
  }
  template <typename F>
  void both(F f) {
    f(real_);
    f(ref_);
  }
  FrameworkId someFramework() {
    return frameworks_[static_cast<size_t>(pick(static_cast<int>(frameworks_.size())))];
  }
  AgentId someAgent() {
    return agents_[static_cast<size_t>(pick(static_cast<int>(agents_.size())))];
  }

  void addAgent() {
    const AgentId id("agent" + std::to_string(next_agent_++));
    Resources total = Resources::scalar("cpus", Scalar::fromMilli(500 * (1 + pick(16))));
    total += Resources::scalar("mem", Scalar::fromMilli(1000 * 256 * (1 + pick(32))));
    total += Resources::ranges("ports", {{31000, 31000 + static_cast<uint64_t>(pick(20))}});
    if (pick(4) == 0) total += Resources::scalar("gpus", Scalar::fromMilli(1000 * (1 + pick(2))));
    if (pick(3) == 0) {
      const std::string role =
          roles_[static_cast<size_t>(pick(static_cast<int>(roles_.size())))].value();
      total += Resources::scalar("cpus", Scalar::fromMilli(1000), role);
      total += Resources::scalar("mem", Scalar::fromMilli(512'000), role);
    }
    // Sometimes a framework already runs something there (re-registration).
    std::vector<Allocator::UsedResources> used;
    if (!frameworks_.empty() && pick(3) == 0) {
      const FrameworkId fw = someFramework();
      const RoleName role = roles_[static_cast<size_t>(pick(static_cast<int>(roles_.size())))];
      used.push_back({fw, role, Resources::scalar("cpus", Scalar::fromMilli(500))});
      held_[{fw, id}] += used.back().resources;
    }
    both([&](Allocator& a) { a.addAgent(id, total, used); });
    agents_.push_back(id);
  }

  void addFramework() {
    const FrameworkId id("fw" + std::to_string(next_framework_++));
    FrameworkCapabilities caps;
    for (const RoleName& role : roles_) {
      if (pick(2) == 0) caps.roles.push_back(role);
    }
    if (caps.roles.empty()) caps.roles.push_back(roles_.front());
    caps.gpu_resources = pick(2) == 0;
    both([&](Allocator& a) { a.addFramework(id, caps); });
    frameworks_.push_back(id);
  }

  // The framework declines (maybe with a filter), keeps a small task, or keeps everything.
  void respond(const OfferGrant& g) {
    held_[{g.framework, g.agent}] += g.resources;
    const int choice = pick(4);
    Resources back;
    if (choice == 0) {
      back = g.resources;
    } else if (choice == 1) {
      const Resources task = Resources::scalar("cpus", Scalar::fromMilli(500)) +
                             Resources::scalar("mem", Scalar::fromMilli(128'000));
      back = g.resources.contains(task) ? g.resources - task : g.resources;
    }
    if (back.empty()) return;
    static const std::optional<std::chrono::nanoseconds> kFilters[] = {std::nullopt, 0s, 1s, 5s};
    const auto filter = kFilters[pick(4)];
    both([&](Allocator& a) { a.recoverResources(g.framework, g.agent, back, filter, now_); });
    held_[{g.framework, g.agent}] -= back;
  }

  // A task ends somewhere: part of what one framework holds on one agent comes back.
  void finishSomething() {
    if (held_.empty()) return;
    auto it = held_.begin();
    std::advance(it, pick(static_cast<int>(held_.size())));
    const auto [fw, agent] = it->first;
    Resources part = it->second;
    if (pick(2) == 0) part = part.intersection(Resources::scalar("cpus", Scalar::fromMilli(500)));
    both([&](Allocator& a) { a.recoverResources(fw, agent, part, std::nullopt, now_); });
    it->second -= part;
    if (it->second.empty()) held_.erase(it);
  }

  template <typename Pred>
  void forget(Pred pred) {
    std::erase_if(held_, [&](const auto& kv) { return pred(kv.first.first, kv.first.second); });
  }

  QString compareBooks() {
    if (real_.allocatedResources() != ref_.allocatedResources()) {
      return "allocatedResources differ: " +
             QString::fromStdString(real_.allocatedResources().toString() + " vs " +
                                    ref_.allocatedResources().toString());
    }
    if (real_.totalResources() != ref_.totalResources()) return "totalResources differ";
    for (const FrameworkId& fw : frameworks_) {
      if (real_.allocated(fw) != ref_.allocated(fw)) {
        return QString::fromStdString("allocated(" + fw.value() +
                                      ") differs: " + real_.allocated(fw).toString() + " vs " +
                                      ref_.allocated(fw).toString());
      }
    }
    return {};
  }

  std::mt19937 rng_;
  HierarchicalAllocator real_;
  ReferenceAllocator ref_;
  TimePoint now_ = TimePoint{} + 100s;
  std::vector<RoleName> roles_;
  std::vector<AgentId> agents_;
  std::vector<FrameworkId> frameworks_;
  std::map<std::pair<FrameworkId, AgentId>, Resources> held_;  // what the test believes is held
  int next_agent_ = 0;
  int next_framework_ = 0;
};

}  // namespace

class AllocatorReferenceTest : public QObject {
  Q_OBJECT

 private slots:
  void matchesBruteForceDrf_data() {
    QTest::addColumn<unsigned>("seed");
    for (unsigned seed = 1; seed <= 200; ++seed) {
      QTest::newRow(qPrintable(QString("seed %1").arg(seed))) << seed;
    }
  }
  void matchesBruteForceDrf() {
    QFETCH(unsigned, seed);
    Scenario scenario(seed);
    const QString diff = scenario.run(150);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
  }
};

QTEST_APPLESS_MAIN(AllocatorReferenceTest)
#include "allocator_reference_test.moc"
