// orch-agent: one per host. Registers with the master, reports resources, launches and
// supervises tasks, checkpoints so it can restart without killing them, serves task logs.
#include <grpcpp/grpcpp.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "agent/agent_files_service.h"
#include "agent/agent_loop.h"
#include "agent/resource_detector.h"
#include "common/log/logger.h"
#include "common/metrics/http_endpoint.h"
#include "common/metrics/http_endpoint_options.h"
#include "common/metrics/metrics_registry.h"
#include "common/tls/grpc_tls.h"

namespace {

std::string selfDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return std::filesystem::path(buf).parent_path().string();
}

std::string hostName() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGCHLD is taken by the agent loop's reaper thread (sigtimedwait), so it is blocked before
  // any thread exists and every thread inherits the mask.
  {
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &child, nullptr);
  }
  CLI::App app{"orch-agent: runs tasks for the Orchestrator master on this host"};
  std::string master = "127.0.0.1:5050";
  std::string listen = "127.0.0.1:5051";
  std::string advertise;
  std::string http = "127.0.0.1:5053";
  std::string work_dir = "/var/lib/orchestrator/agent";
  std::string ca, cert, key;
  std::string resources, attributes;
  std::string hostname = hostName();
  std::string supervisor = selfDir() + "/orch-task-supervisor";
  std::string log_level = "info", log_file;
  bool no_cgroups = false;
  bool no_docker = false;
  // Like the docker CLI: DOCKER_HOST=unix://<path> names the daemon's socket.
  std::string docker_socket = orch::agent::DockerClient::kDefaultSocket;
  if (const char* host = getenv("DOCKER_HOST"); host && std::string(host).rfind("unix://", 0) == 0) {
    docker_socket = std::string(host).substr(7);
  }
  bool kill_tasks_on_exit = false;
  uint64_t log_max_bytes = 10 << 20;
  int log_keep = 3;
  app.add_option("--master", master,
                 "master gRPC address host:port, a comma-separated list, or the masters' "
                 "ZooKeeper as zk://h1:p1,h2:p2/orchestrator")->capture_default_str();
  app.add_option("--listen", listen, "this agent's gRPC address (task logs)")->capture_default_str();
  app.add_option("--advertise", advertise, "address the master and clients use to reach --listen");
  app.add_option("--http", http,
                 "HTTP address for /metrics and /health (empty: off; plain HTTP on loopback only)")
      ->capture_default_str();
  orch::metrics::HttpSecurityFlags http_security;
  orch::metrics::addHttpSecurityFlags(app, http_security);
  app.add_option("--work-dir", work_dir, "sandboxes and checkpoints")->capture_default_str();
  app.add_option("--ca", ca, "cluster CA certificate (PEM)")->required();
  app.add_option("--cert", cert, "this agent's certificate (PEM)")->required();
  app.add_option("--key", key, "this agent's private key (PEM)")->required();
  app.add_option("--resources", resources,
                 "override or add resources, e.g. 'cpus:2;mem:2048;net_bandwidth:1000'");
  app.add_option("--attributes", attributes, "host attributes, e.g. 'rack=r1;zone=a'");
  app.add_option("--hostname", hostname)->capture_default_str();
  app.add_option("--supervisor", supervisor, "path of orch-task-supervisor")->capture_default_str();
  app.add_flag("--no-cgroups", no_cgroups, "run tasks without cgroup limits");
  app.add_option("--docker-socket", docker_socket,
                 "dockerd's unix socket for Docker tasks (default: $DOCKER_HOST if unix://, else "
                 "/var/run/docker.sock)")
      ->capture_default_str();
  app.add_flag("--no-docker", no_docker, "do not run Docker tasks (they fail with a clear message)");
  app.add_flag("--kill-tasks-on-exit", kill_tasks_on_exit,
               "kill every task when the agent stops (local clusters; by default tasks survive)");
  app.add_option("--task-log-max-bytes", log_max_bytes, "stdout/stderr rotate past this size")
      ->capture_default_str();
  app.add_option("--task-log-keep", log_keep, "rotated files kept per stream")->capture_default_str();
  app.add_option("--log-level", log_level)->capture_default_str();
  app.add_option("--log-file", log_file);
  CLI11_PARSE(app, argc, argv);

  orch::log::initLogging("agent", log_level, log_file);
  auto http_options = orch::metrics::httpEndpointOptionsFor(http_security, http, ca, cert, key);
  if (!http_options.ok()) {
    fprintf(stderr, "orch-agent: %s\n", std::string(http_options.status().message()).c_str());
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  if (ec) {
    fprintf(stderr, "orch-agent: cannot create --work-dir %s: %s\n", work_dir.c_str(), ec.message().c_str());
    return 1;
  }
  work_dir = std::filesystem::canonical(work_dir).string();
  if (access(supervisor.c_str(), X_OK) != 0) {
    fprintf(stderr, "orch-agent: --supervisor %s is not an executable file\n", supervisor.c_str());
    return 1;
  }
  auto host = orch::agent::detectHost(work_dir, resources, attributes);
  if (!host.ok()) {
    fprintf(stderr, "orch-agent: %s\n", std::string(host.status().message()).c_str());
    return 2;
  }
  auto server_creds = orch::tls::makeServerCredentials({ca, cert, key});
  if (!server_creds.ok()) {
    fprintf(stderr, "orch-agent: %s\n", std::string(server_creds.status().message()).c_str());
    return 1;
  }

  orch::metrics::MetricsRegistry metrics;
  orch::agent::AgentOptions options;
  options.master = master;
  options.work_dir = work_dir;
  options.hostname = hostname;
  options.http_endpoint = http;
  options.tls = {ca, cert, key};
  options.host = *host;
  options.containerizer.work_dir = work_dir;
  options.containerizer.supervisor_path = supervisor;
  options.containerizer.use_cgroups = !no_cgroups;
  options.containerizer.log_max_bytes = log_max_bytes;
  options.containerizer.log_keep_files = log_keep;
  options.docker_enabled = !no_docker;
  options.docker_socket = docker_socket;

  options.endpoint = advertise.empty() ? listen : advertise;
  auto loop = std::make_unique<orch::agent::AgentLoop>(options, metrics);
  orch::agent::AgentFilesService files(*loop);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, *server_creds, &port);
  orch::tls::applyServerChannelArgs(builder);
  builder.RegisterService(&files);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    fprintf(stderr, "orch-agent: cannot listen on %s (address in use or invalid)\n", listen.c_str());
    return 1;
  }

  auto started = loop->start();
  if (!started.ok()) {
    fprintf(stderr, "orch-agent: %s\n", std::string(started.message()).c_str());
    server->Shutdown();
    return 1;
  }

  std::unique_ptr<orch::metrics::HttpEndpoint> endpoint;
  if (!http.empty()) {
    auto colon = http.rfind(':');
    endpoint = std::make_unique<orch::metrics::HttpEndpoint>(
        http.substr(0, colon), std::stoi(http.substr(colon + 1)), metrics, *http_options);
    auto* agent = loop.get();
    endpoint->setHealthCheck([agent] {
      orch::metrics::HealthReport report;
      report.body = {{"status", agent->connected() ? "ok" : "disconnected"},
                     {"agent_id", agent->agentId()}};
      report.status = agent->connected() ? 200 : 503;
      return report;
    });
    if (auto s = endpoint->start(); !s.ok()) {
      fprintf(stderr, "orch-agent: HTTP %s: %s\n", http.c_str(), std::string(s.message()).c_str());
      loop->stop();
      server->Shutdown();
      return 1;
    }
  }
  fprintf(stderr, "orch-agent serving gRPC on %s, work dir %s, master %s\n",
          options.endpoint.c_str(), work_dir.c_str(), master.c_str());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  if (kill_tasks_on_exit) {
    orch::log::logInfo("agent stopping; killing its tasks", {{"signal", sig}});
    loop->killAllTasks(std::chrono::milliseconds(2000), std::chrono::milliseconds(5000));
  } else {
    orch::log::logInfo("agent stopping; tasks keep running", {{"signal", sig}});
  }
  if (endpoint) endpoint->stop();
  loop->stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  orch::log::flushLogs();
  return 0;
}
