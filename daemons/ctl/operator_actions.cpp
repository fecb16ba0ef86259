#include "ctl/operator_actions.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/operator_client.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

namespace {

absl::StatusOr<std::unique_ptr<client::OperatorClient>> connect(const GlobalOptions& global) {
  auto config = resolveConfig(global);
  if (!config.ok()) return config.status();
  return client::OperatorClient::create(*config);
}

struct ResolvedAgent {
  std::string id;
  std::string hostname;
};

// An id matches first; otherwise a hostname naming exactly one agent.
absl::StatusOr<ResolvedAgent> resolveAgent(client::OperatorClient& client, const std::string& name) {
  auto agents = client.getAgents();
  if (!agents.ok()) return agents.status();
  std::vector<ResolvedAgent> by_host;
  for (const auto& a : agents->agents()) {
    if (a.agent_info().agent_id() == name) return ResolvedAgent{name, a.agent_info().hostname()};
    if (a.agent_info().hostname() == name) {
      by_host.push_back(ResolvedAgent{a.agent_info().agent_id(), a.agent_info().hostname()});
    }
  }
  if (by_host.size() == 1) return by_host.front();
  if (by_host.size() > 1) {
    std::vector<std::string> ids;
    for (const auto& a : by_host) ids.push_back(a.id);
    return absl::InvalidArgumentError(absl::StrCat("hostname ", name, " names ", by_host.size(),
                                                   " agents (", absl::StrJoin(ids, ", "),
                                                   "): give an agent id"));
  }
  return absl::NotFoundError(
      absl::StrCat("no agent with id or hostname \"", name, "\" (see `orchctl agents`)"));
}

std::string describe(const ResolvedAgent& agent) {
  return agent.hostname.empty() ? agent.id : absl::StrCat(agent.id, " (", agent.hostname, ")");
}

}  // namespace

int runDrainCommand(const GlobalOptions& global, const DrainOptions& options) {
  auto client = connect(global);
  if (!client.ok()) return reportError(client.status());
  auto agent = resolveAgent(**client, options.agent);
  if (!agent.ok()) return reportError(agent.status());
  v1::DrainAgentRequest request;
  request.set_agent_id(agent->id);
  request.set_max_grace_period_seconds(options.grace_seconds);
  request.set_deadline_seconds(options.deadline_seconds);
  request.set_mark_gone(options.mark_gone);
  if (absl::Status s = (*client)->drainAgent(request); !s.ok()) {
    return reportError(absl::StrCat("cannot drain agent ", describe(*agent)), s);
  }
  std::printf("agent %s is draining: no new tasks, running tasks are being killed%s\n",
              describe(*agent).c_str(), options.mark_gone ? "; it will be marked gone" : "");
  return kExitOk;
}

int runReactivateCommand(const GlobalOptions& global, const std::string& name) {
  auto client = connect(global);
  if (!client.ok()) return reportError(client.status());
  auto agent = resolveAgent(**client, name);
  if (!agent.ok()) return reportError(agent.status());
  if (absl::Status s = (*client)->reactivateAgent(agent->id); !s.ok()) {
    return reportError(absl::StrCat("cannot reactivate agent ", describe(*agent)), s);
  }
  std::printf("agent %s is active again\n", describe(*agent).c_str());
  return kExitOk;
}

int runKillCommand(const GlobalOptions& global, const KillOptions& options) {
  auto client = connect(global);
  if (!client.ok()) return reportError(client.status());
  v1::KillTaskRequest request;
  request.set_task_id(options.task_id);
  if (options.grace_seconds >= 0) {
    request.mutable_kill_policy()->set_grace_period_seconds(options.grace_seconds);
  }
  if (absl::Status s = (*client)->killTask(request); !s.ok()) {
    return reportError(absl::StrCat("cannot kill task ", options.task_id), s);
  }
  std::printf("kill requested for task %s\n", options.task_id.c_str());
  return kExitOk;
}

}  // namespace orch::ctl
