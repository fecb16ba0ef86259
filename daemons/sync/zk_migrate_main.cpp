// zk-migrate: the sync engine's command line.
//   zk-migrate verify   --source-zk A --target-zk B [--config migration.yaml] [--path /p]...
//   zk-migrate snapshot --source-zk A --target-zk B [...]        one-shot copy, then exit
//   zk-migrate sync run   --source-zk A --target-zk B [...]      snapshot + continuous, foreground
//   zk-migrate sync start --source-zk A --target-zk B --config migration.yaml [--state-dir D]
//                                                                starts orch-sync detached
//   zk-migrate sync status|stop [--state-dir D] [--json]
//   zk-migrate conflicts list [--state-dir D] [--json]
//   zk-migrate conflicts resolve --id N --winner source|target [--state-dir D]
// Exit codes: 0 ok / identical, 1 differences found (verify), 2 error (bad config, unreachable
// ensemble, no daemon).
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/log/logger.h"
#include "sync/daemon_launcher.h"
#include "sync/sync_control_client.h"
#include "sync/sync_control_service.h"
#include "sync/sync_engine.h"
#include "sync/sync_status_json.h"
#include "sync/verifier.h"

namespace {

struct CommonFlags {
  orch::sync::SyncConfigOverrides ov;
  int timeout_sec = 300;
  bool json = false;
};

void addCommon(CLI::App* app, CommonFlags& f) {
  app->add_option("--config", f.ov.config_path, "migration.yaml");
  app->add_option("--source-zk", f.ov.source_zk, "source ensemble: host:port[,host:port][/chroot]");
  app->add_option("--target-zk", f.ov.target_zk, "target ensemble: host:port[,host:port][/chroot]");
  app->add_option("--source-auth", f.ov.source_auth, "digest credential user:password for the source");
  app->add_option("--target-auth", f.ov.target_auth, "digest credential user:password for the target");
  app->add_option("--path", f.ov.paths, "path to sync (repeatable; default from config or /)");
  app->add_option("--exclude", f.ov.excludes, "path to leave out (repeatable)");
  app->add_option("--timeout-sec", f.timeout_sec, "give up after this many seconds");
  app->add_flag("--json", f.json, "print JSON");
}

int fail(const absl::Status& s) {
  std::cerr << "zk-migrate: " << s.message() << "\n";
  return 2;
}

std::atomic<bool> g_stop{false};

std::string absolute(const std::string& p) {
  if (p.empty()) return p;
  std::error_code ec;
  auto a = std::filesystem::absolute(p, ec);
  return ec ? p : a.string();
}

void printStatus(const orchestrator::v1::SyncStatusReply& r, bool json) {
  const orch::sync::SyncStatus s = orch::sync::fromProto(r);
  nlohmann::json j = orch::sync::statusToJson(s);
  j["name"] = r.name();
  j["mode"] = r.mode();
  j["conflict_resolution"] = r.conflict_resolution();
  j["source_zk"] = r.source_zk();
  j["target_zk"] = r.target_zk();
  if (json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "sync job " << r.name() << " (" << r.mode() << ", " << r.conflict_resolution() << ")\n"
            << "  " << r.source_zk() << " -> " << r.target_zk() << "\n"
            << "  phase " << s.phase << (s.in_sync ? ", in sync" : ", catching up") << "\n"
            << "  znodes " << s.znodes << ", writes " << s.writes << " (" << s.bytes << " bytes)"
            << (r.mode() == "bidirectional" ? ", writes to source " + std::to_string(s.writes_to_source) : "") << "\n"
            << "  lag p50 " << s.lag_p50_ms << " ms, p99 " << s.lag_p99_ms << " ms (" << s.lag_samples << " samples)\n"
            << "  watches " << s.watches << ", pending writes " << s.pending_writes << ", errors " << s.errors << "\n"
            << "  conflicts " << s.conflicts << " (held " << s.conflicts_held << ")"
            << (s.conflict_rate_alert ? "  ALERT: conflict rate over threshold" : "") << "\n";
  if (r.mode() == "bidirectional") {
    std::cout << "  baselines " << s.baseline_entries << " in "
              << (s.baseline_file.empty() ? std::string("memory only (lost on restart)") : s.baseline_file);
    if (s.baseline_write_failures > 0) std::cout << ", " << s.baseline_write_failures << " failed writes";
    std::cout << "\n";
    if (s.baseline_failing) {
      std::cout << "  ALERT: the baseline state file cannot be written (" << s.baseline_error
                << "); a restart now would treat recent deletions as missing nodes\n";
    }
  }
  if (!s.last_error.empty()) std::cout << "  last error: " << s.last_error << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zk-migrate: copy, keep in sync and verify ZooKeeper ensembles"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");

  CommonFlags vf, sf, rf, startf;
  auto* verify = app.add_subcommand("verify", "compare source and target; exit 1 on any difference");
  addCommon(verify, vf);
  std::size_t limit = 50;
  verify->add_option("--limit", limit, "paths listed per category");
  auto* snapshot = app.add_subcommand("snapshot", "copy the source onto the target once");
  addCommon(snapshot, sf);
  int read_sessions = 3;
  snapshot->add_option("--read-sessions", read_sessions,
                       "source sessions the reads are spread over (each to a member the client picks)")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  auto* sync = app.add_subcommand("sync", "continuous sync");
  sync->require_subcommand(1);
  auto* run = sync->add_subcommand("run", "snapshot, then keep syncing in the foreground until SIGINT/SIGTERM");
  addCommon(run, rf);
  run->add_option("--mode", rf.ov.mode, "one-way | bidirectional");
  run->add_option("--conflict-resolution", rf.ov.conflict_resolution, "last-write-wins | source-wins | manual");

  std::string state_dir = orch::sync::defaultStateDir();
  std::string tls_dir, listen = "127.0.0.1:0", http = "127.0.0.1:0", daemon_bin, daemon_log_level = "info";
  auto* start = sync->add_subcommand("start", "start orch-sync in the background for this sync job");
  addCommon(start, startf);
  start->add_option("--mode", startf.ov.mode, "one-way | bidirectional");
  start->add_option("--conflict-resolution", startf.ov.conflict_resolution, "last-write-wins | source-wins | manual");
  start->add_option("--audit-log", startf.ov.audit_log, "JSON-lines conflict audit log");
  start->add_option("--baseline-dir", startf.ov.baseline_dir,
                    "bidirectional mode: where the last-synced state is kept (\"none\": memory only)");
  start->add_option("--tls-dir", tls_dir, "ca.crt + orch-sync/zk-migrate certificates (default: <state-dir>/tls, made if missing)");
  start->add_option("--listen", listen, "orch-sync gRPC address")->capture_default_str();
  start->add_option("--http", http, "orch-sync HTTP address (/api/v1/sync/status, /metrics)")->capture_default_str();
  start->add_option("--daemon", daemon_bin, "orch-sync executable (default: next to zk-migrate)");
  start->add_option("--daemon-log-level", daemon_log_level)->capture_default_str();
  bool status_json = false;
  auto* status = sync->add_subcommand("status", "show the running sync job");
  status->add_flag("--json", status_json, "print JSON");
  auto* stop = sync->add_subcommand("stop", "stop the running sync job");
  for (auto* c : {start, status, stop}) c->add_option("--state-dir", state_dir, "orch-sync state directory");

  auto* conflicts = app.add_subcommand("conflicts", "conflicts held for manual resolution (bidirectional mode)");
  conflicts->require_subcommand(1);
  bool conflicts_json = false;
  auto* clist = conflicts->add_subcommand("list", "list held conflicts");
  clist->add_flag("--json", conflicts_json, "print JSON");
  std::uint64_t resolve_id = 0;
  std::string winner;
  auto* cresolve = conflicts->add_subcommand("resolve", "copy one side over the other and drop the conflict");
  cresolve->add_option("--id", resolve_id, "conflict id (from conflicts list)")->required();
  cresolve->add_option("--winner", winner, "source | target")->required()->check(CLI::IsMember({"source", "target"}));
  for (auto* c : {clist, cresolve}) c->add_option("--state-dir", state_dir, "orch-sync state directory");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; any other command-line error is a usage error: 2, as a bad config.
    return app.exit(e) == 0 ? 0 : 2;
  }
  orch::log::initLogging("zk-migrate", log_level);

  if (*verify) {
    auto cfg = orch::sync::buildSyncConfig(vf.ov);
    if (!cfg.ok()) return fail(cfg.status());
    auto r = orch::sync::verifyEnsembles(*cfg, std::chrono::seconds(vf.timeout_sec));
    if (!r.ok()) return fail(r.status());
    if (vf.json) {
      nlohmann::json j = {{"identical", r->diff.identical()},
                          {"compared", r->diff.compared},
                          {"missing", r->diff.missing},
                          {"extra", r->diff.extra},
                          {"source_ephemerals", r->diff.source_ephemerals},
                          {"source_digest", r->source_root_digest},
                          {"target_digest", r->target_root_digest}};
      nlohmann::json diff = nlohmann::json::array();
      for (const auto& d : r->diff.differing) diff.push_back({{"path", d.path}, {"data", d.data}, {"acl", d.acl}, {"kind", d.kind}});
      j["differing"] = diff;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << orch::sync::formatVerifyReport(*r, limit);
    }
    return r->diff.identical() ? 0 : 1;
  }

  if (*start) {
    auto cfg = orch::sync::buildSyncConfig(startf.ov);
    if (!cfg.ok()) return fail(cfg.status());
    state_dir = absolute(state_dir);
    if (auto running = orch::sync::SyncControlClient::connect(state_dir); running.ok()) {
      return fail(absl::AlreadyExistsError("orch-sync (pid " + std::to_string((*running)->state().pid) +
                                           ") already runs for " + state_dir + "; stop it first"));
    }
    if (tls_dir.empty()) {
      tls_dir = state_dir + "/tls";
      if (auto s = orch::sync::ensureLocalCertificates(tls_dir, cfg->name); !s.ok()) return fail(s);
    }
    std::vector<std::string> args = {"--tls-dir", absolute(tls_dir), "--state-dir", state_dir, "--listen", listen,
                                     "--http", http, "--log-level", daemon_log_level,
                                     "--connect-timeout-sec", std::to_string(std::min(startf.timeout_sec, 30))};
    auto add = [&](const char* flag, const std::string& v) {
      if (!v.empty()) args.insert(args.end(), {flag, v});
    };
    add("--config", absolute(startf.ov.config_path));
    add("--source-zk", startf.ov.source_zk);
    add("--target-zk", startf.ov.target_zk);
    add("--source-auth", startf.ov.source_auth);
    add("--target-auth", startf.ov.target_auth);
    add("--mode", startf.ov.mode);
    add("--conflict-resolution", startf.ov.conflict_resolution);
    add("--audit-log", absolute(startf.ov.audit_log));
    add("--baseline-dir", startf.ov.baseline_dir == "none" ? startf.ov.baseline_dir
                                                          : absolute(startf.ov.baseline_dir));
    for (const auto& p : startf.ov.paths) add("--path", p);
    for (const auto& p : startf.ov.excludes) add("--exclude", p);
    auto st = orch::sync::launchDaemon(daemon_bin.empty() ? orch::sync::defaultDaemonBinary() : daemon_bin, args,
                                       state_dir, std::chrono::seconds(std::min(startf.timeout_sec, 30) + 15));
    if (!st.ok()) return fail(st.status());
    if (startf.json) {
      std::cout << nlohmann::json{{"pid", st->pid}, {"grpc", st->grpc}, {"http", st->http}, {"state_dir", state_dir}}.dump()
                << "\n";
    } else {
      std::cout << "orch-sync started (pid " << st->pid << "): gRPC " << st->grpc << ", HTTP " << st->http
                << ", state " << state_dir << "\n";
    }
    return 0;
  }

  if (*status || *stop || *clist || *cresolve) {
    auto client = orch::sync::SyncControlClient::connect(absolute(state_dir));
    if (!client.ok()) return fail(client.status());
    if (*status) {
      auto r = (*client)->status();
      if (!r.ok()) return fail(r.status());
      printStatus(*r, status_json);
      return 0;
    }
    if (*stop) {
      const int pid = (*client)->state().pid;
      if (auto s = (*client)->stop(); !s.ok()) return fail(s);
      for (int i = 0; i < 300 && orch::sync::processAlive(pid); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (orch::sync::processAlive(pid)) return fail(absl::DeadlineExceededError("orch-sync did not exit within 15 s"));
      std::cout << "orch-sync (pid " << pid << ") stopped\n";
      return 0;
    }
    if (*clist) {
      auto cs = (*client)->listConflicts();
      if (!cs.ok()) return fail(cs.status());
      if (conflicts_json) {
        std::cout << orch::sync::conflictsToJson(*cs).dump(2) << "\n";
      } else if (cs->empty()) {
        std::cout << "no conflicts held\n";
      } else {
        for (const auto& c : *cs) {
          std::cout << "#" << c.id << " " << c.path << ": " << c.reason << "\n"
                    << "    source: " << (c.a.exists ? "'" + c.a.data.substr(0, 60) + "' mtime " + std::to_string(c.a.mtime_ms) : "absent") << "\n"
                    << "    target: " << (c.b.exists ? "'" + c.b.data.substr(0, 60) + "' mtime " + std::to_string(c.b.mtime_ms) : "absent") << "\n";
        }
      }
      return 0;
    }
    auto r = (*client)->resolve(resolve_id, winner == "source" ? orch::sync::ConflictWinner::kSource
                                                                : orch::sync::ConflictWinner::kTarget);
    if (!r.ok()) return fail(r.status());
    std::cout << "conflict #" << r->id << " on " << r->path << " resolved: " << winner << " wins\n";
    return 0;
  }

  const bool continuous = sync->got_subcommand(run);
  CommonFlags& f = continuous ? rf : sf;
  auto cfg = orch::sync::buildSyncConfig(f.ov);
  if (!cfg.ok()) return fail(cfg.status());
  orch::metrics::MetricsRegistry registry;
  std::unique_ptr<orch::sync::SyncJob> job;
  if (continuous) {
    auto j = orch::sync::makeSyncJob(*cfg, registry);
    if (!j.ok()) return fail(j.status());
    job = std::move(*j);
  } else {
    orch::sync::SyncEngineOptions eo;
    eo.config = *cfg;
    eo.continuous = false;
    eo.read_sessions = read_sessions;
    eo.registry = &registry;
    auto e = orch::sync::SyncEngine::create(eo);
    if (!e.ok()) return fail(e.status());
    job = std::move(*e);
  }
  if (auto s = job->start(std::chrono::seconds(15)); !s.ok()) return fail(s);
  if (auto s = job->waitInSync(std::chrono::seconds(f.timeout_sec)); !s.ok()) return fail(s);
  const auto st = job->status();
  if (!continuous) {
    std::cout << (f.json ? orch::sync::statusToJson(st).dump(2) : orch::sync::statusToJson(st).dump()) << "\n";
    job->stop();
    return 0;
  }
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::cout << orch::sync::statusToJson(st).dump() << "\n" << std::flush;
  int n = 0;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (++n % 50 == 0) std::cout << orch::sync::statusToJson(job->status()).dump() << "\n" << std::flush;
  }
  job->stop();
  return 0;
}
