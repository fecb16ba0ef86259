// Unit tests for the weighted DRF sorter: ordering, weights, activation, the incremental order
// against a brute-force fresh sort, and hierarchical role paths.
#include "core/drf_sorter.h"

#include <QtTest>
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using orch::core::AgentId;
using orch::core::DrfSorter;
using orch::core::FrameworkId;
using orch::core::Resources;
using orch::core::RoleName;
using orch::core::Scalar;

namespace {

using FlatSorter = DrfSorter<FrameworkId>;
using RoleSorter = DrfSorter<RoleName>;

Resources res(const char* text) {
  auto parsed = Resources::parse(text);
  if (!parsed.ok()) qFatal("test fixture does not parse: %s", text);
  return *parsed;
}

Resources cpus(int64_t milli) { return Resources::scalar("cpus", Scalar::fromMilli(milli)); }

template <typename Id>
QStringList names(const std::vector<Id>& ids) {
  QStringList out;
  for (const Id& id : ids) out << QString::fromStdString(id.value());
  return out;
}

const AgentId kAgent("a1");

}  // namespace

class DrfSorterTest : public QObject {
  Q_OBJECT

 private slots:
  void ordersByDominantShare() {
    FlatSorter s;
    s.addTotal(kAgent, res("cpus:100;mem:1000"));
    for (const char* c : {"c", "b", "a"}) {
      s.addClient(FrameworkId(c));
      s.activate(FrameworkId(c));
    }
    // Ties break by name.
    QCOMPARE(names(s.sort()), (QStringList{"a", "b", "c"}));
    s.allocated(FrameworkId("a"), kAgent, res("cpus:10;mem:500"));  // dominant: mem 0.5
    s.allocated(FrameworkId("b"), kAgent, res("cpus:40;mem:10"));   // dominant: cpus 0.4
    QCOMPARE(names(s.sort()), (QStringList{"c", "b", "a"}));
    QCOMPARE(s.share(FrameworkId("a")), 0.5);
    QCOMPARE(s.share(FrameworkId("b")), 0.4);
    s.unallocated(FrameworkId("a"), kAgent, res("mem:450"));  // now cpus 0.1 dominates
    QCOMPARE(names(s.sort()), (QStringList{"c", "a", "b"}));
    QCOMPARE(s.allocation(FrameworkId("a")).at(kAgent), res("cpus:10;mem:50"));
  }

  void weightsDivideShares() {
    FlatSorter s;
    s.addTotal(kAgent, res("cpus:100"));
    for (const char* c : {"heavy", "light"}) {
      s.addClient(FrameworkId(c));
      s.activate(FrameworkId(c));
    }
    s.updateWeight(FrameworkId("heavy"), 3.0);
    s.allocated(FrameworkId("heavy"), kAgent, cpus(30'000));  // 0.3 / 3 = 0.1
    s.allocated(FrameworkId("light"), kAgent, cpus(20'000));  // 0.2
    QCOMPARE(names(s.sort()), (QStringList{"heavy", "light"}));
    s.updateWeight(FrameworkId("heavy"), 1.0);
    QCOMPARE(names(s.sort()), (QStringList{"light", "heavy"}));
    // Invalid weights are ignored.
    s.updateWeight(FrameworkId("heavy"), 0.0);
    s.updateWeight(FrameworkId("heavy"), -2.0);
    QCOMPARE(s.share(FrameworkId("heavy")), 0.3);
    // A weight set before the client exists applies when it arrives.
    s.updateWeight(FrameworkId("late"), 10.0);
    s.addClient(FrameworkId("late"));
    s.activate(FrameworkId("late"));
    s.allocated(FrameworkId("late"), kAgent, cpus(50'000));
    QCOMPARE(s.share(FrameworkId("late")), 0.05);
    QCOMPARE(names(s.sort()).first(), QString("late"));
  }

  void inactiveClientsAreSkippedButCounted() {
    RoleSorter s(RoleSorter::Naming::kHierarchical);
    s.addTotal(kAgent, res("cpus:10"));
    s.addClient(RoleName("eng/ml"));
    s.addClient(RoleName("eng/web"));
    s.addClient(RoleName("ops"));
    QVERIFY(s.sort().empty());  // clients start inactive
    s.activate(RoleName("eng/web"));
    s.activate(RoleName("ops"));
    s.allocated(RoleName("eng/ml"), kAgent, cpus(5'000));  // inactive, still counts for "eng"
    QCOMPARE(names(s.sort()), (QStringList{"ops", "eng/web"}));
    s.deactivate(RoleName("ops"));
    QCOMPARE(names(s.sort()), (QStringList{"eng/web"}));
    QCOMPARE(s.count(), size_t{3});
    QVERIFY(s.contains(RoleName("ops")));
  }

  void hierarchicalSubtreeShares() {
    RoleSorter s(RoleSorter::Naming::kHierarchical);
    s.addTotal(kAgent, res("cpus:100"));
    for (const char* r : {"eng/ml", "eng/web", "ops"}) {
      s.addClient(RoleName(r));
      s.activate(RoleName(r));
    }
    s.allocated(RoleName("eng/ml"), kAgent, cpus(30'000));
    s.allocated(RoleName("ops"), kAgent, cpus(20'000));
    // "eng" as a whole holds 0.3 > ops 0.2, so ops goes first even though eng/web holds nothing.
    QCOMPARE(names(s.sort()), (QStringList{"ops", "eng/web", "eng/ml"}));
    QCOMPARE(s.share(RoleName("eng/web")), 0.0);
    // A weight on the parent path scales the whole subtree: 0.3 / 3 = 0.1 < 0.2.
    s.updateWeight(RoleName("eng"), 3.0);
    QCOMPARE(names(s.sort()), (QStringList{"eng/web", "eng/ml", "ops"}));

    // A path that is both a client and a parent: "eng" holds its own allocation.
    s.addClient(RoleName("eng"));
    s.activate(RoleName("eng"));
    s.allocated(RoleName("eng"), kAgent, cpus(10'000));
    QCOMPARE(s.share(RoleName("eng")), 0.4 / 3.0);  // the subtree: 30 + 10 of 100, weight 3
    QCOMPARE(names(s.sort()), (QStringList{"eng/web", "eng", "eng/ml", "ops"}));

    // Removing a client takes its allocation out of its ancestors and prunes empty paths.
    s.removeClient(RoleName("eng/ml"));
    s.removeClient(RoleName("eng"));
    s.removeClient(RoleName("eng/web"));
    QCOMPARE(names(s.sort()), (QStringList{"ops"}));
    s.addClient(RoleName("eng/new"));
    s.activate(RoleName("eng/new"));
    QCOMPARE(s.share(RoleName("eng/new")), 0.0);
    QCOMPARE(names(s.sort()), (QStringList{"eng/new", "ops"}));
  }

  void flatNamesKeepSlashes() {
    FlatSorter s;
    s.addTotal(kAgent, res("cpus:10"));
    s.addClient(FrameworkId("a/b"));
    s.addClient(FrameworkId("a"));
    s.activate(FrameworkId("a/b"));
    s.activate(FrameworkId("a"));
    s.allocated(FrameworkId("a/b"), kAgent, cpus(1'000));
    QCOMPARE(s.share(FrameworkId("a")), 0.0);  // "a/b" is not a child of "a" in flat naming
    QCOMPARE(names(s.sort()), (QStringList{"a", "a/b"}));
  }

  void unallocatedAndTotalsAreClamped() {
    FlatSorter s;
    s.addTotal(kAgent, res("cpus:10"));
    s.addClient(FrameworkId("f"));
    s.activate(FrameworkId("f"));
    s.allocated(FrameworkId("f"), kAgent, cpus(2'000));
    s.unallocated(FrameworkId("f"), kAgent, cpus(5'000));  // more than held
    QVERIFY(s.allocation(FrameworkId("f")).empty());
    QCOMPARE(s.share(FrameworkId("f")), 0.0);
    s.unallocated(FrameworkId("f"), AgentId("unknown"), cpus(1'000));  // harmless
    s.allocated(FrameworkId("ghost"), kAgent, cpus(1'000));            // absent client: ignored
    QVERIFY(!s.contains(FrameworkId("ghost")));

    s.allocated(FrameworkId("f"), kAgent, cpus(5'000));
    s.removeTotal(kAgent, res("cpus:5"));
    QCOMPARE(s.share(FrameworkId("f")), 1.0);
    s.removeTotal(kAgent, res("cpus:50"));  // more than contributed: clamps to zero pool
    QCOMPARE(s.share(FrameworkId("f")), 0.0);
  }

  // The order is maintained on allocation changes without recomputing everything; only a
  // change of the pool triggers a full recomputation, once, on the next sort.
  void orderIsIncremental() {
    FlatSorter s;
    s.addTotal(kAgent, res("cpus:100;mem:100"));
    for (int i = 0; i < 20; ++i) {
      s.addClient(FrameworkId("f" + std::to_string(i)));
      s.activate(FrameworkId("f" + std::to_string(i)));
    }
    s.sort();
    const size_t after_first = s.fullRecomputations();
    QCOMPARE(after_first, size_t{1});
    for (int i = 0; i < 20; ++i) {
      // Each client gets a larger share than any before it, in cpus or in mem.
      const int64_t milli = (i + 1) * 1000 + (i % 2) * 500;
      s.allocated(FrameworkId("f" + std::to_string(i)), kAgent,
                  Resources::scalar(i % 2 == 0 ? "cpus" : "mem", Scalar::fromMilli(milli)));
      const std::vector<FrameworkId> order = s.sort();
      // The freshly allocated client moved: it is no longer ahead of an empty one.
      QCOMPARE(order.back(), FrameworkId("f" + std::to_string(i)));
    }
    QCOMPARE(s.fullRecomputations(), after_first);
    s.addTotal(AgentId("a2"), res("cpus:100"));
    s.addTotal(AgentId("a3"), res("cpus:100"));
    s.sort();
    s.sort();
    QCOMPARE(s.fullRecomputations(), after_first + 1);
  }

  // Random operations; after each, the incremental order must equal a fresh brute-force sort.
  void matchesBruteForce() {
    std::mt19937 rng(7);
    for (int round = 0; round < 20; ++round) {
      FlatSorter s;
      std::map<std::string, std::map<std::string, int64_t>> held;  // client -> name -> milli
      std::map<std::string, int64_t> total;
      std::map<std::string, double> weight;
      std::map<std::string, bool> active;
      const std::vector<std::string> kinds = {"cpus", "mem", "gpus"};
      auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };

      for (int step = 0; step < 200; ++step) {
        const std::string client = "c" + std::to_string(pick(8));
        const std::string kind = kinds[static_cast<size_t>(pick(3))];
        const int64_t amount = 1 + pick(5000);
        const AgentId agent("a" + std::to_string(pick(3)));
        switch (pick(7)) {
          case 0:
            s.addClient(FrameworkId(client));
            if (!active.contains(client)) active[client] = false;
            break;
          case 1:
            s.activate(FrameworkId(client));
            if (active.contains(client)) active[client] = true;
            break;
          case 2:
            if (active.contains(client)) {
              s.allocated(FrameworkId(client), agent,
                          Resources::scalar(kind, Scalar::fromMilli(amount)));
              held[client][agent.value() + "|" + kind] += amount;
            }
            break;
          case 3:
            if (active.contains(client)) {
              s.unallocated(FrameworkId(client), agent,
                            Resources::scalar(kind, Scalar::fromMilli(amount)));
              int64_t& h = held[client][agent.value() + "|" + kind];
              h = std::max<int64_t>(0, h - amount);
            }
            break;
          case 4:
            s.addTotal(agent, Resources::scalar(kind, Scalar::fromMilli(amount * 4)));
            total[kind] += amount * 4;
            break;
          case 5: {
            const double w = 0.5 + pick(4);
            s.updateWeight(FrameworkId(client), w);
            weight[client] = w;
            break;
          }
          default:
            if (pick(4) == 0) {
              s.removeClient(FrameworkId(client));
              active.erase(client);
              held.erase(client);
            }
            break;
        }

        // Brute force: compute every share afresh and sort.
        std::vector<std::tuple<double, std::string>> expected;
        for (const auto& [c, is_active] : active) {
          if (!is_active) continue;
          std::map<std::string, int64_t> sums;
          for (const auto& [key, milli] : held[c]) sums[key.substr(key.find('|') + 1)] += milli;
          double dominant = 0.0;
          for (const auto& [name, milli] : sums) {
            if (total[name] > 0) {
              dominant =
                  std::max(dominant, static_cast<double>(milli) / static_cast<double>(total[name]));
            }
          }
          const double w = weight.contains(c) ? weight[c] : 1.0;
          expected.emplace_back(dominant / w, c);
        }
        std::sort(expected.begin(), expected.end());
        QStringList want;
        for (const auto& [share, c] : expected) want << QString::fromStdString(c);
        QCOMPARE(names(s.sort()), want);
      }
    }
  }

  // Random allocations on a small role tree; the order must equal a brute-force depth-first walk
  // that recomputes every subtree share and sorts each level afresh.
  void hierarchicalMatchesBruteForce() {
    const std::vector<std::string> paths = {"a", "a/x", "a/y", "b/z/w", "b/z", "c", "c/d/e"};
    const std::vector<std::string> weighted = {"a", "b", "b/z", "a/x", "c/d", "c"};
    std::mt19937 rng(11);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    for (int round = 0; round < 30; ++round) {
      RoleSorter s(RoleSorter::Naming::kHierarchical);
      std::map<std::string, int64_t> total{{"cpus", 100'000}, {"mem", 64'000}};
      s.addTotal(kAgent, res("cpus:100;mem:64"));
      std::map<std::string, std::map<std::string, int64_t>> held;  // client -> name -> milli
      std::map<std::string, bool> active;
      std::map<std::string, double> weight;
      for (int step = 0; step < 100; ++step) {
        const std::string path = paths[pick(paths.size())];
        const std::string name = pick(2) == 0 ? "cpus" : "mem";
        const int64_t milli = 1 + static_cast<int64_t>(pick(3000));
        switch (pick(6)) {
          case 0:
            s.addClient(RoleName(path));
            active.try_emplace(path, false);
            break;
          case 1:
            s.activate(RoleName(path));
            if (active.contains(path)) active[path] = true;
            break;
          case 2:
          case 3:
            if (active.contains(path)) {
              s.allocated(RoleName(path), kAgent,
                          Resources::scalar(name, Scalar::fromMilli(milli)));
              held[path][name] += milli;
            }
            break;
          case 4: {
            const std::string w = weighted[pick(weighted.size())];
            weight[w] = 0.5 * static_cast<double>(1 + pick(6));
            s.updateWeight(RoleName(w), weight[w]);
            break;
          }
          default:
            if (pick(3) == 0) {
              s.removeClient(RoleName(path));
              active.erase(path);
              held.erase(path);
            }
            break;
        }

        auto dominant = [&](const std::map<std::string, int64_t>& q, double w) {
          double best = 0.0;
          for (const auto& [n, m] : q) {
            best = std::max(best, static_cast<double>(m) / static_cast<double>(total[n]));
          }
          return best / w;
        };
        auto subtree = [&](const std::string& p) {
          std::map<std::string, int64_t> sum;
          for (const auto& [client, q] : held) {
            if (client != p && !client.starts_with(p + "/")) continue;
            for (const auto& [n, m] : q) sum[n] += m;
          }
          return sum;
        };
        QStringList want;
        std::function<void(const std::string&)> visit = [&](const std::string& prefix) {
          // (share, name, not-self, path): the client's own leaf before an equal sibling.
          std::set<std::tuple<double, std::string, bool, std::string>> level;
          for (const auto& [client, on] : active) {
            if (!prefix.empty() && client == prefix) {
              level.emplace(dominant(held[client], 1.0), "", false, client);
              continue;
            }
            if (!prefix.empty() && !client.starts_with(prefix + "/")) continue;
            const size_t from = prefix.empty() ? 0 : prefix.size() + 1;
            const size_t slash = client.find('/', from);
            const std::string child = client.substr(0, slash);
            const double w = weight.contains(child) ? weight[child] : 1.0;
            level.emplace(dominant(subtree(child), w), child.substr(from), true, child);
          }
          for (const auto& [share, name, not_self, p] : level) {
            if (!not_self) {
              if (active[p]) want << QString::fromStdString(p);
            } else {
              visit(p);
            }
          }
        };
        visit("");
        QCOMPARE(names(s.sort()), want);
      }
    }
  }
};

QTEST_APPLESS_MAIN(DrfSorterTest)
#include "drf_sorter_test.moc"
