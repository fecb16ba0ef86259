// Benchmark of the sync engine on two real 3-member loopback ensembles. Prints one JSON object:
//   raw_create_per_s      pipelined 1 KB creates straight into the target ensemble (baseline)
//   snapshot_per_s        initial copy throughput of the engine for the same count
//   snapshot_vs_raw       ratio (target >= 0.8)
//   lag_p50_ms/lag_p99_ms steady-state lag with --rate sets/s on the source over --synced znodes
//   source_ack_p50_ms/p99 the source ensemble's own set latency at that rate (a floor for the lag)
//   snapshot_reads_per_node, snapshot_ops_per_batch, live_reads_per_set, live_ops_per_batch
//   continuous_initial_per_s  the continuous engine's first walk over --synced znodes (watches armed)
// Usage: zk_sync_bench [--nodes 10000] [--synced 10000] [--rate 1000] [--seconds 20] [--repeat 5]
//                      [--read-sessions 3] [--max-inflight-reads 1024]
//   (--read-sessions: source sessions the engine's reads are spread over, both copies)
//   (--repeat: raw/copy pairs measured alternately, medians reported; default 5 up to 20k nodes, else 1)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../integration/sync/zk_test_client.h"
#include "sync/sync_engine.h"
#include "zk_ensemble.h"

using namespace std::chrono;
using orch::sync::testing::BlockingZk;

namespace {

int arg(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

std::vector<std::string> flat(const std::string& root, int n) {
  std::vector<std::string> p = {root};
  for (int i = 0; i < n; ++i) p.push_back(root + "/n" + std::to_string(i));
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const int nodes = arg(argc, argv, "--nodes", 10000);
  const int synced = arg(argc, argv, "--synced", 10000);
  const int rate = arg(argc, argv, "--rate", 1000);
  const int seconds = arg(argc, argv, "--seconds", 20);
  orch::testing::ZkEnsemble a({.members = 3, .name = "bench-a", .jvm_heap = "1g"});
  orch::testing::ZkEnsemble b({.members = 3, .name = "bench-b", .jvm_heap = "1g"});
  if (!a.start().ok() || !b.start().ok()) {
    std::fprintf(stderr, "ensembles did not start\n");
    return 2;
  }
  auto za = BlockingZk::open(a.connectString());
  auto zb = BlockingZk::open(b.connectString());
  const std::string kb(1024, 'k');
  nlohmann::json out = {{"nodes", nodes}, {"synced", synced}, {"rate", rate}};

  // Warm both ensembles' JVMs (JIT) so neither figure pays for it: creates on both (the raw
  // baseline's path on B), then one unmeasured engine copy of A's /warm into B's /warm-copy
  // (the copy's paths: reads with watches on A, multi() on B), deleted again on B.
  if (!za->createMany(flat("/warm", 3000), kb).ok() || !zb->createMany(flat("/warm", 3000), kb).ok()) return 2;

  // Initial copy against raw creates, alternated `repeat` times (each raw run and each copy starts
  // from the same target state, only /warm: what a run created on B is deleted before the next),
  // medians reported. One 10k run lasts ~2 s, so a single pair is at the mercy of whatever else
  // wakes up on the two cores; the individual runs are printed too.
  const int repeat = std::max(1, arg(argc, argv, "--repeat", nodes <= 20000 ? 5 : 1));
  if (!za->createMany(flat("/snap", nodes), kb).ok()) return 2;
  orch::sync::SyncEngineOptions o;
  o.config.source_zk = a.connectString();
  o.config.target_zk = b.connectString();
  o.config.paths_to_sync = {"/snap"};
  o.continuous = false;
  o.min_pipelined_batch = arg(argc, argv, "--min-pipelined-batch", 64);
  o.eager_inflight = arg(argc, argv, "--eager-inflight", 2);
  o.read_sessions = arg(argc, argv, "--read-sessions", o.read_sessions);
  o.max_inflight_reads = arg(argc, argv, "--max-inflight-reads", o.max_inflight_reads);
  auto removeAll = [&](const std::string& root, int count) {
    std::vector<std::string> paths = flat(root, count);
    std::reverse(paths.begin(), paths.end());  // children before the parent
    return zb->removeMany(paths).ok();
  };
  {
    orch::sync::SyncEngineOptions w = o;
    w.config.paths_to_sync = {"/warm"};
    w.config.source_zk = a.connectString();
    w.config.target_zk = b.connectString() + "/warm-copy";
    if (!zb->createMany({"/warm-copy"}, "").ok()) return 2;
    auto e = orch::sync::SyncEngine::create(w);
    if (!e.ok() || !(*e)->start().ok() || !(*e)->waitInSync(std::chrono::seconds(600)).ok()) return 2;
    (*e)->stop();
    std::vector<std::string> paths = flat("/warm-copy/warm", 3000);
    paths.insert(paths.begin(), "/warm-copy");
    std::reverse(paths.begin(), paths.end());
    if (!zb->removeMany(paths).ok()) return 2;
  }
  std::vector<double> raw_rates, copy_rates;
  for (int r = 0; r < repeat; ++r) {
    // Baseline: raw pipelined creates into B.
    auto t0 = steady_clock::now();
    if (!zb->createMany(flat("/raw", nodes), kb).ok()) return 2;
    raw_rates.push_back(nodes / duration<double>(steady_clock::now() - t0).count());
    if (!removeAll("/raw", nodes)) return 2;
    // The engine's copy of the same count from A.
    auto e = orch::sync::SyncEngine::create(o);
    if (!e.ok() || !(*e)->start().ok()) return 2;
    t0 = steady_clock::now();
    if (!(*e)->waitInSync(std::chrono::seconds(600)).ok()) return 2;
    copy_rates.push_back((nodes + 1) / duration<double>(steady_clock::now() - t0).count());
    const auto st = (*e)->status();
    out["snapshot_reads_per_node"] = static_cast<double>(st.source_reads + st.target_reads) / (nodes + 1);
    out["snapshot_read_sessions"] = st.source_read_sessions;
    out["snapshot_ops_per_batch"] = st.batches ? static_cast<double>(st.writes) / st.batches : 0.0;
    // > 1: a re-diff ran (reconnect or error, see last_error); the largest of the runs.
    out["snapshot_full_syncs"] = std::max<std::uint64_t>(out.value("snapshot_full_syncs", std::uint64_t{0}), st.full_syncs);
    out["snapshot_errors"] = out.value("snapshot_errors", std::uint64_t{0}) + st.errors;
    if (!st.last_error.empty()) out["snapshot_last_error"] = st.last_error;
    (*e)->stop();
    if (r + 1 < repeat && !removeAll("/snap", nodes)) return 2;
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  out["repeat"] = repeat;
  out["raw_create_per_s_runs"] = raw_rates;
  out["snapshot_per_s_runs"] = copy_rates;
  out["raw_create_per_s"] = median(raw_rates);
  out["snapshot_per_s"] = median(copy_rates);
  out["snapshot_vs_raw"] = median(copy_rates) / median(raw_rates);
  if (!out.contains("snapshot_last_error")) out["snapshot_last_error"] = "";

  if (rate <= 0 || synced <= 0) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  // Steady-state lag: continuous engine over `synced` znodes, `rate` sets/s on A.
  if (!za->createMany(flat("/live", synced), kb).ok()) return 2;
  o.config.paths_to_sync = {"/live"};
  o.continuous = true;
  auto e = orch::sync::SyncEngine::create(o);
  if (!e.ok() || !(*e)->start().ok()) return 2;
  {
    // The continuous engine's own initial walk (a data and a child watch armed on every znode:
    // 3 reads per node), for comparison with the snapshot above.
    const auto t0 = steady_clock::now();
    if (!(*e)->waitInSync(std::chrono::seconds(600)).ok()) return 2;
    out["continuous_initial_per_s"] = (synced + 1) / duration<double>(steady_clock::now() - t0).count();
    out["continuous_initial_reads_per_node"] = static_cast<double>((*e)->status().source_reads) / (synced + 1);
  }
  // Warm-up at the target rate (not measured), then the measured window.
  const int warm = std::max(2, seconds / 4);
  {
    auto next = steady_clock::now();
    const auto end = next + std::chrono::seconds(warm);
    for (std::uint64_t i = 0; steady_clock::now() < end; ++i) {
      za->client().set("/live/n" + std::to_string(i % synced), kb, -1, [](absl::StatusOr<orch::zk::ZkStat>) {});
      next += microseconds(1000000 / rate);
      std::this_thread::sleep_until(next);
    }
    (void)(*e)->waitInSync(std::chrono::seconds(60));
    (*e)->resetLagWindow();
  }
  const auto base = (*e)->status();
  const auto base_samples = base.lag_samples;
  struct Acks {
    std::mutex mu;
    std::vector<double> ms;
  };
  auto acks = std::make_shared<Acks>();
  auto next = steady_clock::now();
  const auto end = next + std::chrono::seconds(seconds);
  std::uint64_t sent = 0;
  while (steady_clock::now() < end) {
    const std::string path = "/live/n" + std::to_string(sent % synced);
    const auto sent_at = steady_clock::now();
    za->client().set(path, std::to_string(sent) + kb.substr(0, 1000), -1, [acks, sent_at](absl::StatusOr<orch::zk::ZkStat>) {
      std::lock_guard lk(acks->mu);
      acks->ms.push_back(duration<double, std::milli>(steady_clock::now() - sent_at).count());
    });
    ++sent;
    next += microseconds(1000000 / rate);
    std::this_thread::sleep_until(next);
  }
  (void)(*e)->waitInSync(std::chrono::seconds(60));
  const auto st = (*e)->status();
  out["lag_p50_ms"] = st.lag_p50_ms;
  out["lag_p99_ms"] = st.lag_p99_ms;
  out["lag_samples"] = st.lag_samples - base_samples;
  out["source_notify_p50_ms"] = st.source_notify_p50_ms;
  out["source_notify_p99_ms"] = st.source_notify_p99_ms;
  out["sets_sent"] = sent;
  out["live_reads_per_set"] = static_cast<double>(st.source_reads - base.source_reads) / std::max<std::uint64_t>(1, sent);
  out["live_ops_per_batch"] = st.batches > base.batches ? static_cast<double>(st.writes - base.writes) / (st.batches - base.batches) : 0.0;
  {
    std::lock_guard lk(acks->mu);
    auto v = acks->ms;
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1)))]; };
    out["source_ack_p50_ms"] = pct(0.5);
    out["source_ack_p99_ms"] = pct(0.99);
  }
  (*e)->stop();
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
