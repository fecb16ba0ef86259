// zk-migrate: the sync engine's command line.
//   zk-migrate verify   --source-zk A --target-zk B [--config migration.yaml] [--path /p]...
//   zk-migrate snapshot --source-zk A --target-zk B [...]        one-shot copy, then exit
//   zk-migrate sync run --source-zk A --target-zk B [...]        snapshot + continuous, foreground
// Exit codes: 0 ok / identical, 1 differences found (verify), 2 error (bad config, unreachable).
#include <csignal>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/log/logger.h"
#include "sync/sync_engine.h"
#include "sync/verifier.h"

namespace {

struct CommonFlags {
  std::string config_path;
  std::string source_zk;
  std::string target_zk;
  std::string source_auth;
  std::string target_auth;
  std::vector<std::string> paths;
  std::vector<std::string> excludes;
  int timeout_sec = 300;
  bool json = false;
};

void addCommon(CLI::App* app, CommonFlags& f) {
  app->add_option("--config", f.config_path, "migration.yaml");
  app->add_option("--source-zk", f.source_zk, "source ensemble: host:port[,host:port][/chroot]");
  app->add_option("--target-zk", f.target_zk, "target ensemble: host:port[,host:port][/chroot]");
  app->add_option("--source-auth", f.source_auth, "digest credential user:password for the source");
  app->add_option("--target-auth", f.target_auth, "digest credential user:password for the target");
  app->add_option("--path", f.paths, "path to sync (repeatable; default from config or /)");
  app->add_option("--exclude", f.excludes, "path to leave out (repeatable)");
  app->add_option("--timeout-sec", f.timeout_sec, "give up after this many seconds");
  app->add_flag("--json", f.json, "print JSON");
}

absl::StatusOr<orch::sync::SyncConfig> buildConfig(const CommonFlags& f) {
  orch::sync::SyncConfig cfg;
  if (!f.config_path.empty()) {
    auto c = orch::sync::loadSyncConfig(f.config_path);
    if (!c.ok()) return c.status();
    cfg = *c;
  }
  if (!f.source_zk.empty()) cfg.source_zk = f.source_zk;
  if (!f.target_zk.empty()) cfg.target_zk = f.target_zk;
  if (!f.source_auth.empty()) cfg.source_auth = f.source_auth;
  if (!f.target_auth.empty()) cfg.target_auth = f.target_auth;
  if (!f.paths.empty()) cfg.paths_to_sync = f.paths;
  if (!f.excludes.empty()) cfg.exclude_paths = f.excludes;
  if (auto s = orch::sync::validateSyncConfig(cfg); !s.ok()) return s;
  return cfg;
}

nlohmann::json statusJson(const orch::sync::SyncStatus& s) {
  return {{"phase", s.phase},
          {"in_sync", s.in_sync},
          {"znodes", s.znodes},
          {"ephemerals_skipped", s.ephemerals},
          {"writes", s.writes},
          {"bytes", s.bytes},
          {"errors", s.errors},
          {"full_syncs", s.full_syncs},
          {"last_full_sync_ms", s.last_full_sync_ms},
          {"watches", s.watches},
          {"pending_writes", s.pending_writes},
          {"source_session", s.source_session},
          {"target_session", s.target_session},
          {"lag_p50_ms", s.lag_p50_ms},
          {"lag_p99_ms", s.lag_p99_ms},
          {"last_error", s.last_error}};
}

int fail(const absl::Status& s) {
  std::cerr << "zk-migrate: " << s.message() << "\n";
  return 2;
}

std::atomic<bool> g_stop{false};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zk-migrate: copy, keep in sync and verify ZooKeeper ensembles"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");

  CommonFlags vf, sf, rf;
  auto* verify = app.add_subcommand("verify", "compare source and target; exit 1 on any difference");
  addCommon(verify, vf);
  std::size_t limit = 50;
  verify->add_option("--limit", limit, "paths listed per category");
  auto* snapshot = app.add_subcommand("snapshot", "copy the source onto the target once");
  addCommon(snapshot, sf);
  auto* sync = app.add_subcommand("sync", "continuous sync");
  sync->require_subcommand(1);
  auto* run = sync->add_subcommand("run", "snapshot, then keep syncing in the foreground until SIGINT/SIGTERM");
  addCommon(run, rf);

  CLI11_PARSE(app, argc, argv);
  orch::log::initLogging("zk-migrate", log_level);

  if (*verify) {
    auto cfg = buildConfig(vf);
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

  const bool continuous = sync->got_subcommand(run);
  CommonFlags& f = continuous ? rf : sf;
  auto cfg = buildConfig(f);
  if (!cfg.ok()) return fail(cfg.status());
  orch::sync::SyncEngineOptions eo;
  eo.config = *cfg;
  eo.continuous = continuous;
  auto engine = orch::sync::SyncEngine::create(eo);
  if (!engine.ok()) return fail(engine.status());
  if (auto s = (*engine)->start(); !s.ok()) return fail(s);
  if (auto s = (*engine)->waitInSync(std::chrono::seconds(f.timeout_sec)); !s.ok()) return fail(s);
  const auto st = (*engine)->status();
  if (!continuous) {
    std::cout << (f.json ? statusJson(st).dump(2) : statusJson(st).dump()) << "\n";
    (*engine)->stop();
    return 0;
  }
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::cout << statusJson(st).dump() << "\n" << std::flush;
  int n = 0;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (++n % 50 == 0) std::cout << statusJson((*engine)->status()).dump() << "\n" << std::flush;
  }
  (*engine)->stop();
  return 0;
}
