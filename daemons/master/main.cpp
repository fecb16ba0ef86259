// orch-master: agent and framework registry, allocator, task table. Serves the Scheduler,
// AgentRegistry and Operator gRPC services over mTLS, and /metrics + /health over HTTP(S).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/metrics/http_endpoint.h"
#include "common/metrics/http_endpoint_options.h"
#include "common/metrics/metrics_registry.h"
#include "common/tls/grpc_tls.h"
#include "master/agent_registry_service.h"
#include "master/leader_contender.h"
#include "master/leadership.h"
#include "master/master_loop.h"
#include "master/operator_service.h"
#include "master/scheduler_service.h"
#include "master/state/file_state_store.h"
#include "master/state/zk_state_store.h"

namespace {

std::string randomId() {
  std::random_device rd;
  std::uniform_int_distribution<uint32_t> dist;
  char buf[16];
  snprintf(buf, sizeof buf, "%08x", dist(rd));
  return buf;
}

bool validMasterId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

std::string defaultDataDir(const std::string& listen) {
  const char* xdg = getenv("XDG_DATA_HOME");
  const char* home = getenv("HOME");
  std::string base = xdg && *xdg ? xdg : absl::StrCat(home && *home ? home : "/tmp", "/.local/share");
  std::string port = listen.substr(listen.rfind(':') + 1);
  return absl::StrCat(base, "/orchestrator/master-", port);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"orch-master: the Orchestrator cluster master"};
  std::string listen = "127.0.0.1:5050";
  std::string http = "127.0.0.1:5052";
  std::string ca, cert, key;
  std::string log_level = "info";
  std::string log_file;
  std::string master_id;
  double heartbeat = 1.0;
  int missed = 5;
  double offer_timeout = 10;
  std::string zk;
  double zk_session_timeout = 2.0;
  std::string advertise;
  std::string data_dir;
  bool in_memory = false;
  int quorum_masters = 1;
  app.add_option("--listen", listen, "gRPC address host:port")->capture_default_str();
  app.add_option("--http", http,
                 "HTTP address for /metrics and /health (empty: off; plain HTTP on loopback only)")
      ->capture_default_str();
  orch::metrics::HttpSecurityFlags http_security;
  orch::metrics::addHttpSecurityFlags(app, http_security);
  app.add_option("--ca", ca, "cluster CA certificate (PEM)")->required();
  app.add_option("--cert", cert, "this master's certificate (PEM)")->required();
  app.add_option("--key", key, "this master's private key (PEM)")->required();
  app.add_option("--master-id", master_id, "id prefix for agents, frameworks and offers");
  app.add_option("--heartbeat-interval", heartbeat, "seconds between agent heartbeats")
      ->capture_default_str()->check(CLI::Range(0.05, 60.0));
  app.add_option("--max-missed-heartbeats", missed, "then the agent is unreachable")
      ->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--offer-timeout", offer_timeout, "seconds before an unanswered offer is rescinded")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  app.add_option("--zk", zk,
                 "ZooKeeper for leader election among masters, e.g. zk://h1:2181,h2:2181/orchestrator "
                 "(without it this master leads alone)");
  app.add_option("--zk-session-timeout", zk_session_timeout, "seconds; a dead leader is replaced after about this long")
      ->capture_default_str()->check(CLI::Range(0.5, 60.0));
  app.add_option("--advertise", advertise, "address other masters and clients use to reach --listen");
  app.add_option("--quorum-masters", quorum_masters,
                 "masters this group should have (with --zk): fewer in the election makes /health "
                 "report status \"degraded\"")
      ->capture_default_str()->check(CLI::Range(1, 9));
  app.add_option("--data-dir", data_dir,
                 "where a master without --zk keeps its registry (default "
                 "$XDG_DATA_HOME/orchestrator/master-<port>)");
  app.add_flag("--in-memory", in_memory,
               "keep no registry at all: a restart forgets every agent, framework and task");
  app.add_option("--log-level", log_level)->capture_default_str();
  app.add_option("--log-file", log_file);
  CLI11_PARSE(app, argc, argv);

  orch::log::initLogging("master", log_level, log_file);
  if (quorum_masters > 1 && zk.empty()) {
    fprintf(stderr, "orch-master: --quorum-masters %d needs --zk (a master without ZooKeeper leads alone)\n",
            quorum_masters);
    return 2;
  }
  if (!master_id.empty() && !validMasterId(master_id)) {
    fprintf(stderr, "orch-master: --master-id '%s': use 1-64 letters, digits, '-', '_' or '.'\n",
            master_id.c_str());
    return 2;
  }

  auto http_options = orch::metrics::httpEndpointOptionsFor(http_security, http, ca, cert, key);
  if (!http_options.ok()) {
    fprintf(stderr, "orch-master: %s\n", std::string(http_options.status().message()).c_str());
    return 2;
  }

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto creds = orch::tls::makeServerCredentials({ca, cert, key});
  if (!creds.ok()) {
    orch::log::logError("cannot load TLS files", {{"error", std::string(creds.status().message())}});
    fprintf(stderr, "orch-master: %s\n", std::string(creds.status().message()).c_str());
    return 1;
  }

  orch::core::MasterOptions options;
  options.master_id = master_id.empty() ? randomId() : master_id;
  options.heartbeat_interval = std::chrono::duration_cast<orch::core::Duration>(
      std::chrono::duration<double>(heartbeat));
  options.max_missed_heartbeats = missed;
  options.offer_timeout = std::chrono::duration_cast<orch::core::Duration>(
      std::chrono::duration<double>(offer_timeout));

  orch::metrics::MetricsRegistry metrics;
  std::unique_ptr<orch::master::StateStore> store;  // outlives the loop that writes to it
  std::thread recovery;
  orch::master::MasterLoop loop(options, metrics);
  if (advertise.empty()) advertise = listen;
  std::atomic<bool> lost_leadership{false};
  auto on_store_failure = [&lost_leadership](absl::Status s) {
    fprintf(stderr, "orch-master: leaving: registry write failed: %s\n", std::string(s.message()).c_str());
    lost_leadership = true;
    kill(getpid(), SIGTERM);
  };
  std::unique_ptr<orch::master::Leadership> leadership;
  orch::master::LeaderContender* contender = nullptr;
  if (zk.empty()) {
    leadership = std::make_unique<orch::master::SoleLeader>(advertise);
    if (!in_memory) {
      if (data_dir.empty()) data_dir = defaultDataDir(listen);
      store = std::make_unique<orch::master::FileStateStore>(
          orch::master::FileStateStore::Options{data_dir});
      loop.setStore(store.get(), on_store_failure);
      auto problems = loop.recoverFromStore();
      if (!problems.ok()) {
        fprintf(stderr, "orch-master: %s\n", std::string(problems.status().message()).c_str());
        return 1;
      }
      for (const auto& p : *problems) fprintf(stderr, "orch-master: registry: %s\n", p.c_str());
    }
  } else {
    auto c = std::make_unique<orch::master::LeaderContender>(
        orch::master::LeaderContender::Options{zk, static_cast<int>(zk_session_timeout * 1000),
                                               advertise, options.master_id},
        [&] {
          // Elected: read the registry (off the election thread), then serve.
          recovery = std::thread([&] {
            auto zk_store = std::make_unique<orch::master::ZkStateStore>(
                orch::master::ZkStateStore::Options{zk, static_cast<int>(zk_session_timeout * 1000),
                                                    contender->electionNodePath()});
            auto* raw = zk_store.get();
            store = std::move(zk_store);
            auto started = std::chrono::steady_clock::now();
            auto problems = loop.call([&](orch::core::MasterEngine&, orch::core::TimePoint) {
              loop.setStore(raw, on_store_failure);
              return loop.recoverFromStore();
            });
            if (!problems.ok()) {
              fprintf(stderr, "orch-master: leaving: %s\n", std::string(problems.status().message()).c_str());
              lost_leadership = true;
              kill(getpid(), SIGTERM);
              return;
            }
            for (const auto& p : *problems) fprintf(stderr, "orch-master: registry: %s\n", p.c_str());
            metrics.gauge("orch_master_recovery_seconds", "Time the last election's registry recovery took")
                .set(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            contender->setServing();
            orch::log::logInfo("serving as leader", {{"address", advertise}});
          });
        },
        [&lost_leadership](const std::string& why) {
          // Its state may be stale from this moment: stop serving; a supervisor restarts us.
          fprintf(stderr, "orch-master: leaving: %s\n", why.c_str());
          lost_leadership = true;
          kill(getpid(), SIGTERM);
        });
    contender = c.get();
    leadership = std::move(c);
  }
  loop.setElectedProbe([&leadership] { return leadership->isLeader(); });
  orch::master::SchedulerService scheduler(loop, *leadership);
  orch::master::AgentRegistryService registry(loop, *leadership);
  orch::master::OperatorService operator_service(loop, metrics, *leadership);

  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen, *creds, &bound_port);
  orch::tls::applyServerChannelArgs(builder);
  builder.RegisterService(&scheduler);
  builder.RegisterService(&registry);
  builder.RegisterService(&operator_service);
  builder.SetMaxReceiveMessageSize(16 << 20);
  loop.start();
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    fprintf(stderr, "orch-master: cannot listen on %s (address in use or invalid)\n", listen.c_str());
    loop.stop();
    return 1;
  }

  if (contender) {
    // Serve (as a standby, redirecting) before contending, so a new leader is reachable at once.
    if (auto s = contender->start(); !s.ok()) {
      fprintf(stderr, "orch-master: %s\n", std::string(s.message()).c_str());
      server->Shutdown();
      loop.stop();
      return 1;
    }
  }

  std::unique_ptr<orch::metrics::HttpEndpoint> endpoint;
  if (!http.empty()) {
    auto colon = http.rfind(':');
    if (colon == std::string::npos) {
      fprintf(stderr, "orch-master: --http must be host:port, got '%s'\n", http.c_str());
      return 2;
    }
    endpoint = std::make_unique<orch::metrics::HttpEndpoint>(
        http.substr(0, colon), std::stoi(http.substr(colon + 1)), metrics, *http_options);
    endpoint->setHealthCheck([&loop, &leadership, contender, quorum_masters] {
      orch::metrics::HealthReport report;
      auto agents = loop.call([](orch::core::MasterEngine& e, orch::core::TimePoint) {
        return e.agents().size();
      });
      const bool leads = leadership->isLeader();
      const int masters = contender ? contender->contenders() : 1;
      const bool redundant = masters >= quorum_masters;
      report.body = {{"status", redundant ? "ok" : "degraded"},
                     {"role", leads ? "leader" : "standby"},
                     {"leader", leadership->leaderAddress()},
                     {"agents", agents},
                     {"masters_in_election", masters},
                     {"quorum_masters", quorum_masters}};
      return report;
    });
    auto started = endpoint->start();
    if (!started.ok()) {
      fprintf(stderr, "orch-master: HTTP %s: %s\n", http.c_str(), std::string(started.message()).c_str());
      server->Shutdown();
      loop.stop();
      return 1;
    }
  }
  orch::log::logInfo("master started", {{"master_id", options.master_id},
                                        {"grpc", listen},
                                        {"port", bound_port},
                                        {"http", http}});
  fprintf(stderr, "orch-master %s serving gRPC on %s (port %d), HTTP on %s\n",
          options.master_id.c_str(), listen.c_str(), bound_port, http.c_str());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  orch::log::logInfo("master stopping", {{"signal", sig}});
  if (endpoint) endpoint->stop();
  if (contender) contender->stop();
  if (recovery.joinable()) recovery.join();
  loop.stop();  // closes every stream so handlers return
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  orch::log::flushLogs();
  return lost_leadership ? 1 : 0;
}
