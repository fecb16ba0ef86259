// Benchmark: how long from `kill -9` of the leading master until a new leader serves offers.
// Real 3-member ZooKeeper ensemble, 3 masters, 1 agent, all on loopback. Prints one JSON object.
//
//   bench_failover [--trials 10] [--session-timeout 2.0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "local_cluster.h"
#include "test_framework.h"
#include "zk_ensemble.h"

using Clock = std::chrono::steady_clock;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;
using orch::testing::ZkEnsemble;

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  int trials = 10;
  double session_timeout = 2.0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--trials" && i + 1 < argc) trials = std::atoi(argv[++i]);
    else if (a == "--session-timeout" && i + 1 < argc) session_timeout = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--trials N] [--session-timeout SECONDS]\n", argv[0]);
      return 2;
    }
  }
  ZkEnsemble zk;
  if (auto s = zk.start(); !s.ok()) {
    std::fprintf(stderr, "zookeeper: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  LocalCluster cluster;
  LocalCluster::Options options;
  options.masters = 3;
  options.agents = 1;
  options.cgroups = false;
  options.zk = "zk://" + zk.connectString() + "/orchestrator";
  options.zk_session_timeout = session_timeout;
  if (auto s = cluster.start(options); !s.ok()) {
    std::fprintf(stderr, "cluster: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  std::vector<double> to_leader, to_offers;
  for (int t = 0; t < trials; ++t) {
    auto leader = cluster.waitForLeader(30);
    if (!leader.ok()) return 1;
    if (auto s = cluster.waitForAgents(1, 30); !s.ok()) return 1;
    const auto killed = Clock::now();
    cluster.killMaster(*leader);
    auto next = cluster.waitForLeader(60);
    if (!next.ok()) {
      std::fprintf(stderr, "trial %d: %s\n", t, std::string(next.status().message()).c_str());
      return 1;
    }
    to_leader.push_back(std::chrono::duration<double>(Clock::now() - killed).count());
    // Serving offers: a framework subscribes to the new leader and gets one (the agent must
    // have re-registered for that).
    bool offered = false;
    while (!offered && Clock::now() - killed < std::chrono::seconds(60)) {
      TestFramework framework(cluster.frameworkConfig(), "failover-probe");
      if (!framework.subscribe().ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      offered = framework.takeOffer(5).has_value();
    }
    if (!offered) return 1;
    to_offers.push_back(std::chrono::duration<double>(Clock::now() - killed).count());
    if (auto s = cluster.startMaster(*leader); !s.ok()) return 1;
    std::fprintf(stderr, "trial %d: leader after %.2f s, offers after %.2f s\n", t, to_leader.back(),
                 to_offers.back());
  }
  std::printf(
      "{\"benchmark\":\"failover\",\"trials\":%d,\"zk_session_timeout_s\":%.2f,"
      "\"kill_to_new_leader_s\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
      "\"kill_to_offers_s\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
      trials, session_timeout, percentile(to_leader, 0.5), percentile(to_leader, 0.99),
      percentile(to_leader, 1), percentile(to_offers, 0.5), percentile(to_offers, 0.99),
      percentile(to_offers, 1));
  return 0;
}
