#include "master/operator_service.h"

#include <cmath>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/tls/grpc_tls.h"
#include "common/wire/wire_convert.h"
#include "master/grpc_status.h"

namespace orch::master {

namespace v1 = orchestrator::v1;

namespace {

// Actions need an operator (or master) certificate; reads are open to every cluster member.
grpc::Status requireOperator(grpc::ServerContext* ctx) {
  const std::string role = tls::peerRole(*ctx);
  if (role == "operator" || role == "master") return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat("this action needs an operator certificate (this one is '", role,
                                   "')"));
}

}  // namespace

grpc::Status OperatorService::GetState(grpc::ServerContext* ctx, const v1::GetStateRequest*,
                                       v1::GetState* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  *response = loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    return loop_.stateSnapshot(engine);
  });
  return grpc::Status::OK;
}

grpc::Status OperatorService::GetAgents(grpc::ServerContext* ctx, const v1::GetAgentsRequest*,
                                        v1::GetAgentsResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  *response = loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    v1::GetAgentsResponse out;
    for (const auto& [id, agent] : engine.agents()) *out.add_agents() = loop_.agentState(engine, agent);
    return out;
  });
  return grpc::Status::OK;
}

grpc::Status OperatorService::GetFrameworks(grpc::ServerContext* ctx, const v1::GetFrameworksRequest*,
                                            v1::GetFrameworksResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  *response = loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    v1::GetFrameworksResponse out;
    for (const auto& [id, fw] : engine.frameworks()) {
      *out.add_frameworks() = loop_.frameworkState(engine, fw);
    }
    return out;
  });
  return grpc::Status::OK;
}

grpc::Status OperatorService::GetTasks(grpc::ServerContext* ctx, const v1::GetTasksRequest* request,
                                       v1::GetTasksResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  *response = loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    v1::GetTasksResponse out;
    auto wanted = [&](const core::TaskRecord& t) {
      return (request->framework_id().empty() || t.framework.value() == request->framework_id()) &&
             (request->task_id().empty() || t.spec.id.value() == request->task_id());
    };
    for (const auto& [key, task] : engine.tasks()) {
      if (wanted(task)) *out.add_tasks() = loop_.taskRecord(engine, task);
    }
    for (const auto& task : engine.completedTasks()) {
      if (wanted(task)) *out.add_completed_tasks() = loop_.taskRecord(engine, task);
    }
    return out;
  });
  if (!request->task_id().empty() && response->tasks_size() == 0 &&
      response->completed_tasks_size() == 0) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("task_id: no task '", request->task_id(), "'"));
  }
  return grpc::Status::OK;
}

grpc::Status OperatorService::GetMetrics(grpc::ServerContext* ctx, const v1::GetMetricsRequest*,
                                         v1::MetricsSnapshot* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  // The same figures as /metrics, one sample per line: "name{labels} value".
  std::istringstream text(metrics_.renderPrometheus());
  std::string line;
  while (std::getline(text, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    auto* metric = response->add_metrics();
    metric->set_name(line.substr(0, space));
    metric->set_value(std::strtod(line.c_str() + space + 1, nullptr));
  }
  return grpc::Status::OK;
}

grpc::Status OperatorService::DrainAgent(grpc::ServerContext* ctx, const v1::DrainAgentRequest* request,
                                         v1::DrainAgentResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  if (auto s = requireOperator(ctx); !s.ok()) return s;
  if (request->agent_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "agent_id: must be set");
  }
  double g = request->max_grace_period_seconds();
  if (!std::isfinite(g) || g < 0 || g > 86400) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "max_grace_period_seconds: must be between 0 and 86400");
  }
  double d = request->deadline_seconds();
  if (!std::isfinite(d) || d < 0 || d > 30 * 86400.0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "deadline_seconds: must be between 0 and 30 days");
  }
  core::AgentId id(request->agent_id());
  auto grace = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(g));
  std::optional<core::Duration> deadline;
  if (d > 0) deadline = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(d));
  return toGrpc(loop_.call([&](core::MasterEngine& engine, core::TimePoint now) {
    return engine.drainAgent(id, grace, now, deadline);
  }));
}

grpc::Status OperatorService::ReactivateAgent(grpc::ServerContext* ctx,
                                              const v1::ReactivateAgentRequest* request,
                                              v1::ReactivateAgentResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  if (auto s = requireOperator(ctx); !s.ok()) return s;
  core::AgentId id(request->agent_id());
  return toGrpc(loop_.call([&](core::MasterEngine& engine, core::TimePoint now) {
    return engine.reactivateAgent(id, now);
  }));
}

grpc::Status OperatorService::KillTask(grpc::ServerContext* ctx, const v1::KillTaskRequest* request,
                                       v1::KillTaskResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  if (auto s = requireOperator(ctx); !s.ok()) return s;
  if (request->task_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "task_id: must be set");
  }
  std::optional<core::Duration> grace;
  if (request->has_kill_policy()) {
    double g = request->kill_policy().grace_period_seconds();
    if (!std::isfinite(g) || g < 0 || g > 86400) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "kill_policy.grace_period_seconds: must be between 0 and 86400");
    }
    grace = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(g));
  }
  core::TaskId task(request->task_id());
  return toGrpc(loop_.call([&](core::MasterEngine& engine, core::TimePoint now) {
    return engine.operatorKill(task, grace, now);
  }));
}

grpc::Status OperatorService::SetWeights(grpc::ServerContext* ctx, const v1::SetWeightsRequest* request,
                                         v1::SetWeightsResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  if (auto s = requireOperator(ctx); !s.ok()) return s;
  if (request->weights().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "weights: name at least one role");
  }
  return toGrpc(loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    for (int i = 0; i < request->weights_size(); ++i) {
      const auto& w = request->weights(i);
      absl::Status s = engine.setWeight(core::RoleName(w.role()), w.weight());
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat("weights[", i, "].", s.message()));
    }
    return absl::OkStatus();
  }));
}

grpc::Status OperatorService::GetWeights(grpc::ServerContext* ctx, const v1::GetWeightsRequest*,
                                         v1::GetWeightsResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  *response = loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    v1::GetWeightsResponse out;
    for (const auto& [role, weight] : engine.allocator().weights()) {
      auto* w = out.add_weights();
      w->set_role(role.value());
      w->set_weight(weight);
    }
    return out;
  });
  return grpc::Status::OK;
}

grpc::Status OperatorService::SetQuota(grpc::ServerContext* ctx, const v1::SetQuotaRequest* request,
                                       v1::SetQuotaResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  if (auto s = requireOperator(ctx); !s.ok()) return s;
  const core::RoleName role(request->quota().role());
  if (request->remove()) {
    loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
      engine.removeQuota(role);
      return 0;
    });
    return grpc::Status::OK;
  }
  core::Quota quota;
  auto guarantee = wire::resourcesFromProto(request->quota().guarantee(), "quota.guarantee");
  if (!guarantee.ok()) return toGrpc(guarantee.status());
  auto limit = wire::resourcesFromProto(request->quota().limit(), "quota.limit");
  if (!limit.ok()) return toGrpc(limit.status());
  quota.guarantee = *guarantee;
  quota.limit = *limit;
  return toGrpc(loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    return engine.setQuota(role, quota);
  }));
}

grpc::Status OperatorService::GetQuota(grpc::ServerContext* ctx, const v1::GetQuotaRequest*,
                                       v1::GetQuotaResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  *response = loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    v1::GetQuotaResponse out;
    for (const auto& [role, quota] : engine.allocator().quotas()) {
      auto* q = out.add_quotas();
      q->set_role(role.value());
      wire::resourcesToProto(quota.guarantee, q->mutable_guarantee());
      wire::resourcesToProto(quota.limit, q->mutable_limit());
    }
    return out;
  });
  return grpc::Status::OK;
}

grpc::Status OperatorService::Subscribe(grpc::ServerContext* ctx, const v1::SubscribeEventsRequest*,
                                        grpc::ServerWriter<v1::OperatorEvent>* writer) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  auto sink = std::make_shared<OperatorSink>();
  loop_.call([&](core::MasterEngine& engine, core::TimePoint) {
    v1::OperatorEvent first;
    first.set_type(v1::OperatorEvent::SUBSCRIBED);
    *first.mutable_state() = loop_.stateSnapshot(engine);
    sink->push(std::move(first));
    loop_.attachOperator(sink);
    return 0;
  });
  while (!ctx->IsCancelled()) {
    auto event = sink->pop(std::chrono::milliseconds(200));
    if (!event) {
      if (sink->closed()) break;
      continue;
    }
    if (!writer->Write(*event)) break;
  }
  sink->close();  // the loop drops closed subscribers
  return grpc::Status::OK;
}

}  // namespace orch::master
