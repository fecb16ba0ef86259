// orchctl: the operator CLI. This file only wires CLI11 to the command implementations.
#include <grpc/support/log.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "ctl/certs_command.h"
#include "ctl/cli_support.h"
#include "ctl/events_command.h"
#include "ctl/logs_command.h"
#include "ctl/allocation_commands.h"
#include "ctl/operator_actions.h"
#include "ctl/run_command.h"
#include "ctl/state_commands.h"

namespace {

using namespace orch::ctl;

// Copies an option's value into an optional only when it was given.
struct OptionalString {
  std::string value;
  CLI::Option* option = nullptr;
  std::optional<std::string> get() const {
    return option != nullptr && option->count() > 0 ? std::optional<std::string>(value) : std::nullopt;
  }
};

// gRPC's own log lines ("E1125 ... Handshake failed ...") duplicate the errors orchctl reports
// in words; they are shown only with ORCHCTL_DEBUG=1.
void quietGrpcLog(gpr_log_func_args* /*args*/) {}

}  // namespace

int main(int argc, char** argv) {
  if (const char* debug = std::getenv("ORCHCTL_DEBUG"); debug == nullptr || *debug == '\0') {
    gpr_set_log_function(quietGrpcLog);
  }
  CLI::App app{"orchctl: run tasks on an Orchestrator cluster and look after it"};
  app.name("orchctl");
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  OptionalString master, ca, cert, key, config_file;
  master.option = app.add_option("--master", master.value, "master address HOST:PORT, a comma-separated list, or zk://hosts/chroot");
  ca.option = app.add_option("--ca", ca.value, "cluster CA certificate (PEM)");
  cert.option = app.add_option("--cert", cert.value, "this client's certificate (PEM)");
  key.option = app.add_option("--key", key.value, "this client's private key (PEM)");
  config_file.option = app.add_option(
      "--config", config_file.value,
      "config file (default $XDG_CONFIG_HOME/orchestrator/orchctl.json)");
  auto loadGlobal = [&] {
    global.master = master.get();
    global.ca_cert = ca.get();
    global.cert = cert.get();
    global.key = key.get();
    global.config_file = config_file.get();
  };

  int exit_code = kExitOk;
  auto bind = [&](CLI::App* sub, std::function<int()> body) {
    sub->callback([&, body] {
      loadGlobal();
      exit_code = body();
    });
  };

  // run
  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "launch one task, wait for its end, exit with its code");
  run_cmd->add_option("--cpus", run.resources.cpus, "cpus for the task")
      ->capture_default_str()->check(CLI::PositiveNumber);
  run_cmd->add_option("--mem", run.resources.mem, "memory in MB")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--disk", run.resources.disk, "disk in MB")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--role", run.resources.role, "role to run as")->capture_default_str();
  run_cmd->add_option("--name", run.name, "task name");
  run_cmd->add_flag("--shell", run.shell, "run the command under /bin/sh -c");
  run_cmd->add_option("--docker-image", run.docker_image,
                      "run the command in a Docker container from IMAGE (the image must be on the agent)");
  run_cmd->add_option("--timeout", run.timeout_seconds, "give up (and kill the task) after SEC seconds")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("command", run.argv, "the command and its arguments, after --")->required();
  bind(run_cmd, [&] { return runRunCommand(global, run); });

  // state | agents | frameworks | tasks
  ListOptions list;
  auto addList = [&](const char* name, const char* help, ListView view) {
    CLI::App* sub = app.add_subcommand(name, help);
    sub->add_flag("--json", list.json, "print protobuf JSON");
    if (view == ListView::kTasks) {
      sub->add_flag("--all,-a", list.include_completed, "include completed tasks");
      sub->add_option("--framework", list.framework_id, "only this framework's tasks");
    }
    bind(sub, [&, view] {
      list.view = view;
      return runListCommand(global, list);
    });
  };
  addList("state", "cluster summary with agents, frameworks and tasks", ListView::kState);
  addList("agents", "list agents", ListView::kAgents);
  addList("frameworks", "list frameworks", ListView::kFrameworks);
  addList("tasks", "list tasks", ListView::kTasks);

  // events
  EventsOptions events;
  CLI::App* events_cmd = app.add_subcommand("events", "follow cluster events until Ctrl-C");
  events_cmd->add_flag("--json", events.json, "one protobuf JSON object per line");
  bind(events_cmd, [&] { return runEventsCommand(global, events); });

  // logs
  LogsOptions logs;
  CLI::App* logs_cmd = app.add_subcommand("logs", "show a task's stdout (or stderr)");
  logs_cmd->add_option("task", logs.task_id, "task id")->required();
  logs_cmd->add_flag("--follow,-f", logs.follow, "keep streaming until the task ends");
  logs_cmd->add_flag("--stderr", logs.stderr_stream, "stderr instead of stdout");
  bind(logs_cmd, [&] { return runLogsCommand(global, logs); });

  // weights | quota
  std::vector<std::string> weight_assignments;
  CLI::App* weights_cmd = app.add_subcommand("weights", "show the roles' fairness weights");
  CLI::App* weights_set = weights_cmd->add_subcommand("set", "set weights, e.g. eng=2 eng/ml=3");
  weights_set->add_option("assignments", weight_assignments, "ROLE=WEIGHT ...")->required();
  bind(weights_cmd, [&] {
    return weights_set->parsed() ? exit_code : runWeightsCommand(global, {});
  });
  bind(weights_set, [&] { return runWeightsCommand(global, weight_assignments); });

  QuotaOptions quota_get, quota_set, quota_remove;
  quota_set.action = QuotaOptions::Action::kSet;
  quota_remove.action = QuotaOptions::Action::kRemove;
  CLI::App* quota_cmd = app.add_subcommand("quota", "show the roles' quotas");
  CLI::App* quota_set_cmd = quota_cmd->add_subcommand("set", "set a role's guarantee and/or limit");
  quota_set_cmd->add_option("role", quota_set.role, "role")->required();
  quota_set_cmd->add_option("--guarantee", quota_set.guarantee, "set aside first, e.g. 'cpus:4;mem:8192'");
  quota_set_cmd->add_option("--limit", quota_set.limit, "never exceeded, e.g. 'cpus:16'");
  CLI::App* quota_remove_cmd = quota_cmd->add_subcommand("remove", "drop a role's quota");
  quota_remove_cmd->add_option("role", quota_remove.role, "role")->required();
  bind(quota_cmd, [&] {
    return quota_set_cmd->parsed() || quota_remove_cmd->parsed() ? exit_code
                                                                 : runQuotaCommand(global, quota_get);
  });
  bind(quota_set_cmd, [&] { return runQuotaCommand(global, quota_set); });
  bind(quota_remove_cmd, [&] { return runQuotaCommand(global, quota_remove); });

  // drain | reactivate | kill
  DrainOptions drain;
  CLI::App* drain_cmd = app.add_subcommand("drain", "stop placing tasks on an agent and kill its tasks");
  drain_cmd->add_option("agent", drain.agent, "agent id or hostname")->required();
  drain_cmd->add_option("--grace", drain.grace_seconds, "longest kill grace period in seconds")
      ->check(CLI::NonNegativeNumber);
  drain_cmd->add_option("--deadline", drain.deadline_seconds,
                        "let tasks run this many seconds before killing them (default: now)")
      ->check(CLI::NonNegativeNumber);
  drain_cmd->add_flag("--mark-gone", drain.mark_gone, "mark the agent gone once drained");
  bind(drain_cmd, [&] { return runDrainCommand(global, drain); });

  std::string reactivate_agent;
  CLI::App* reactivate_cmd = app.add_subcommand("reactivate", "let a drained agent take tasks again");
  reactivate_cmd->add_option("agent", reactivate_agent, "agent id or hostname")->required();
  bind(reactivate_cmd, [&] { return runReactivateCommand(global, reactivate_agent); });

  KillOptions kill;
  CLI::App* kill_cmd = app.add_subcommand("kill", "kill a task");
  kill_cmd->add_option("task", kill.task_id, "task id")->required();
  kill_cmd->add_option("--grace", kill.grace_seconds, "seconds between SIGTERM and SIGKILL")
      ->check(CLI::NonNegativeNumber);
  bind(kill_cmd, [&] { return runKillCommand(global, kill); });

  // certs
  CLI::App* certs = app.add_subcommand("certs", "the cluster CA and certificates");
  certs->require_subcommand(1);
  CertsInitOptions certs_init;
  CLI::App* init_cmd = certs->add_subcommand("init", "create the cluster CA");
  init_cmd->add_option("--dir", certs_init.dir,
                       "CA directory (default $XDG_DATA_HOME/orchestrator/certs)");
  init_cmd->add_option("--cluster", certs_init.cluster_name, "cluster name")->capture_default_str();
  bind(init_cmd, [&] { return runCertsInit(certs_init); });

  CertsIssueOptions certs_issue;
  CLI::App* issue_cmd = certs->add_subcommand("issue", "issue a key and certificate signed by the CA");
  issue_cmd->add_option("name", certs_issue.name, "certificate name (CN and file name)")->required();
  issue_cmd->add_option("--role", certs_issue.role, "master, agent, operator or framework")
      ->required()
      ->check(CLI::IsMember({"master", "agent", "operator", "framework"}, CLI::ignore_case));
  issue_cmd->add_option("--dir", certs_issue.ca_dir, "CA directory (default as for init)");
  issue_cmd->add_option("--out", certs_issue.out_dir, "where to write NAME.crt and NAME.key (default: the CA directory)");
  issue_cmd->add_option("--host", certs_issue.hosts, "extra host name or IP the certificate is valid for (repeatable)");
  bind(issue_cmd, [&] { return runCertsIssue(certs_issue); });

  std::string show_path;
  CLI::App* show_cmd = certs->add_subcommand("show", "print what a certificate says");
  show_cmd->add_option("file", show_path, "certificate (PEM)")->required();
  bind(show_cmd, [&] { return runCertsShow(show_path); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::fprintf(stderr, "orchctl: unknown command \"%s\" (see orchctl --help)\n", argv[1]);
      return kExitUsage;
    }
    app.exit(e);
    if (run_cmd->parsed() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      std::fprintf(stderr, "orchctl: put the command after --, e.g. orchctl run -- ls -l\n");
    }
    return kExitUsage;
  }
  return exit_code;
}
