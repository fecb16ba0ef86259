// orch-sync: runs one ZooKeeper sync job (migration.yaml) and serves it:
//   gRPC over mTLS (orchestrator.v1.SyncControl: GetStatus, Stop, Resync, ListConflicts,
//   ResolveConflict), and HTTP(S): GET /api/v1/sync/status (JSON), /api/v1/sync/conflicts,
//   /metrics (Prometheus), /health. Plain HTTP only on loopback; --http-tls serves HTTPS with the
//   daemon's certificate, --http-token-file requires a bearer token (docs/operate.md).
// Usually started detached by `zk-migrate sync start`, which reads --state-dir/orch-sync.json.
// Exit codes: 0 stopped cleanly, 2 bad configuration / TLS files / unreachable ensemble (nothing
// was written to the target then), 1 cannot serve.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/metrics/http_endpoint.h"
#include "common/metrics/http_endpoint_options.h"
#include "common/metrics/metrics_registry.h"
#include "common/tls/grpc_tls.h"
#include "sync/sync_control_service.h"
#include "sync/sync_daemon_state.h"
#include "sync/sync_job.h"
#include "sync/sync_status_json.h"

namespace {

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "orch-sync: %s\n", msg.c_str());
  orch::log::logError("orch-sync cannot run", {{"error", msg}});
  orch::log::flushLogs();
  return code;
}

bool splitHostPort(const std::string& hp, std::string* host, int* port) {
  const auto colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  *host = hp.substr(0, colon);
  try {
    *port = std::stoi(hp.substr(colon + 1));
  } catch (...) {
    return false;
  }
  return *port >= 0 && *port < 65536;
}

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"orch-sync: the ZooKeeper sync daemon"};
  orch::sync::SyncConfigOverrides ov;
  std::string listen = "127.0.0.1:0";
  std::string http = "127.0.0.1:0";
  std::string tls_dir;
  std::string state_dir;
  std::string log_level = "info";
  std::string log_file;
  int connect_timeout_sec = 15;
  app.add_option("--config", ov.config_path, "migration.yaml");
  app.add_option("--source-zk", ov.source_zk, "source ensemble host:port[,host:port][/chroot]");
  app.add_option("--target-zk", ov.target_zk, "target ensemble host:port[,host:port][/chroot]");
  app.add_option("--source-auth", ov.source_auth, "digest user:password for the source");
  app.add_option("--target-auth", ov.target_auth, "digest user:password for the target");
  app.add_option("--path", ov.paths, "path to sync (repeatable)");
  app.add_option("--exclude", ov.excludes, "path to leave out (repeatable)");
  app.add_option("--mode", ov.mode, "one-way | bidirectional (overrides migration.sync.mode)");
  app.add_option("--conflict-resolution", ov.conflict_resolution, "last-write-wins | source-wins | manual");
  app.add_option("--audit-log", ov.audit_log, "JSON-lines conflict audit log");
  app.add_option("--baseline-dir", ov.baseline_dir,
                 "bidirectional mode: where the last-synced state is kept (\"none\": memory only)");
  app.add_option("--listen", listen, "gRPC address host:port (port 0: pick one)")->capture_default_str();
  app.add_option("--http", http, "HTTP address for /api/v1/sync/status and /metrics (empty: off)")
      ->capture_default_str();
  orch::metrics::HttpSecurityFlags http_security;
  orch::metrics::addHttpSecurityFlags(app, http_security);
  app.add_option("--tls-dir", tls_dir, "directory with ca.crt, orch-sync.crt, orch-sync.key")->required();
  app.add_option("--state-dir", state_dir, "write orch-sync.json here once serving");
  app.add_option("--connect-timeout-sec", connect_timeout_sec, "give up connecting after this long")
      ->capture_default_str();
  app.add_option("--log-level", log_level)->capture_default_str();
  app.add_option("--log-file", log_file);
  CLI11_PARSE(app, argc, argv);
  orch::log::initLogging("orch-sync", log_level, log_file);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto cfg = orch::sync::buildSyncConfig(ov);
  if (!cfg.ok()) return fail(2, std::string(cfg.status().message()));
  const orch::tls::TlsFiles tls_files = orch::tls::tlsFilesIn(tls_dir, orch::sync::kServerCertName);
  auto creds = orch::tls::makeServerCredentials(tls_files);
  if (!creds.ok()) return fail(2, std::string(creds.status().message()));
  std::string http_host;
  int http_port = 0;
  if (!http.empty() && !splitHostPort(http, &http_host, &http_port)) {
    return fail(2, absl::StrCat("--http must be host:port, got '", http, "'"));
  }
  auto http_options = orch::metrics::httpEndpointOptionsFor(http_security, http, tls_files.ca_cert,
                                                             tls_files.cert, tls_files.key);
  if (!http_options.ok()) return fail(2, std::string(http_options.status().message()));

  orch::metrics::MetricsRegistry registry;
  auto job = orch::sync::makeSyncJob(*cfg, registry);
  if (!job.ok()) return fail(2, std::string(job.status().message()));
  if (auto s = (*job)->start(std::chrono::seconds(connect_timeout_sec)); !s.ok()) {
    return fail(2, std::string(s.message()));
  }

  orch::sync::SyncControlService service(**job, *cfg, [] { kill(getpid(), SIGTERM); });
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen, *creds, &bound_port);
  orch::tls::applyServerChannelArgs(builder);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    (*job)->stop();
    return fail(1, absl::StrCat("cannot listen on ", listen, " (address in use or invalid)"));
  }
  std::string grpc_host;
  int ignored = 0;
  splitHostPort(listen, &grpc_host, &ignored);
  const std::string grpc_addr = absl::StrCat(grpc_host, ":", bound_port);

  std::unique_ptr<orch::metrics::HttpEndpoint> endpoint;
  std::string http_addr;
  orch::sync::SyncJob& j = **job;
  const orch::sync::SyncConfig config = *cfg;
  if (!http.empty()) {
    endpoint = std::make_unique<orch::metrics::HttpEndpoint>(http_host, http_port, registry, *http_options);
    (void)endpoint->addGetHandler("/api/v1/sync/status", [&j, &config](const orch::metrics::HttpRequestInfo&) {
      orch::metrics::HttpResponse r;
      r.content_type = "application/json";
      r.body = orch::sync::statusToJson(j.status(), config).dump(2) + "\n";
      return r;
    });
    (void)endpoint->addGetHandler("/api/v1/sync/conflicts", [&j](const orch::metrics::HttpRequestInfo&) {
      orch::metrics::HttpResponse r;
      r.content_type = "application/json";
      r.body = orch::sync::conflictsToJson(j.listConflicts()).dump(2) + "\n";
      return r;
    });
    endpoint->setHealthCheck([&j] {
      orch::metrics::HealthReport h;
      const auto s = j.status();
      const bool ok = s.phase != "paused" && s.phase != "stopped";
      h.status = ok ? 200 : 503;
      h.body = {{"status", ok ? "ok" : "degraded"}, {"phase", s.phase}, {"in_sync", s.in_sync}};
      return h;
    });
    if (auto s = endpoint->start(); !s.ok()) {
      server->Shutdown();
      (*job)->stop();
      return fail(1, absl::StrCat("HTTP ", http, ": ", s.message()));
    }
    http_addr = absl::StrCat(http_host, ":", endpoint->port());
  }

  if (!state_dir.empty()) {
    orch::sync::DaemonState st{getpid(), grpc_addr, http_addr, tls_dir, cfg->name, nowMs()};
    if (auto s = orch::sync::writeDaemonState(state_dir, st); !s.ok()) {
      if (endpoint) endpoint->stop();
      server->Shutdown();
      (*job)->stop();
      return fail(1, std::string(s.message()));
    }
  }
  orch::log::logInfo("orch-sync serving", {{"grpc", grpc_addr}, {"http", http_addr}, {"name", cfg->name}});
  std::printf("orch-sync %s serving gRPC on %s, HTTP on %s\n", cfg->name.c_str(), grpc_addr.c_str(),
              http_addr.empty() ? "(off)" : http_addr.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  orch::log::logInfo("orch-sync stopping", {{"signal", sig}});
  (*job)->stop();
  if (endpoint) endpoint->stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (!state_dir.empty()) orch::sync::removeDaemonState(state_dir);
  orch::log::flushLogs();
  return 0;
}
