#include "master/operator_service.h"

#include <cmath>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/tls/grpc_tls.h"
#include "common/wire/wire_convert.h"
#include "master/grpc_status.h"
#include "master/held_event_stream.h"

namespace orch::master {

namespace v1 = orchestrator::v1;

namespace {

// Actions need an operator (or master) certificate; reads are open to every cluster member.
grpc::Status requireOperator(grpc::CallbackServerContext* ctx) {
  const std::string role = tls::peerRole(*ctx);
  if (role == "operator" || role == "master") return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat("this action needs an operator certificate (this one is '", role,
                                   "')"));
}

// One event subscriber: SUBSCRIBED (the state at that moment) first, then every event the loop
// broadcasts, written from the subscriber's queue as it fills (OutgoingStream).
class OperatorEventStream final : public HeldEventStream<v1::OperatorEvent> {
 public:
  explicit OperatorEventStream(MasterLoop& loop) : loop_(loop) {}

  void subscribe() {
    MasterLoop* loop = &loop_;
    loop_.callAsync(
        [loop, sink = sink_](core::MasterEngine& engine, core::TimePoint) -> absl::Status {
          v1::OperatorEvent first;
          first.set_type(v1::OperatorEvent::SUBSCRIBED);
          *first.mutable_state() = loop->stateSnapshot(engine);
          sink->push(std::move(first));  // first: broadcasts from now on follow it
          loop->attachOperator(sink);
          return absl::OkStatus();
        },
        releaseWhenSubscribed(), MasterLoop::Wake::kCallerDrains);
    loop_.drainHere();
  }

  void OnDone() override {
    detachStream();  // the loop drops closed subscribers
    delete this;
  }

 private:
  MasterLoop& loop_;
};

}  // namespace

grpc::ServerUnaryReactor* OperatorService::refuse(grpc::CallbackServerContext* ctx, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

template <typename Response, typename Fn>
grpc::ServerUnaryReactor* OperatorService::answer(grpc::CallbackServerContext* ctx, Response* response,
                                                  Fn fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  loop_.callAsync(
      [fn = std::move(fn)](core::MasterEngine& engine, core::TimePoint now) -> absl::StatusOr<Response> {
        return fn(engine, now);
      },
      [reactor, response](absl::StatusOr<Response> result) {
        if (!result.ok()) {
          reactor->Finish(toGrpc(result.status()));
          return;
        }
        *response = *std::move(result);
        reactor->Finish(grpc::Status::OK);
      },
      MasterLoop::Wake::kCallerDrains);
  loop_.drainHere();  // a gRPC thread holding no lock
  return reactor;
}

template <typename Fn>
grpc::ServerUnaryReactor* OperatorService::act(grpc::CallbackServerContext* ctx, Fn fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  loop_.callAsync(
      [fn = std::move(fn)](core::MasterEngine& engine, core::TimePoint now) -> absl::Status {
        return fn(engine, now);
      },
      [reactor](absl::Status status) { reactor->Finish(toGrpc(status)); },
      MasterLoop::Wake::kCallerDrains);
  loop_.drainHere();
  return reactor;
}

grpc::ServerUnaryReactor* OperatorService::GetState(grpc::CallbackServerContext* ctx,
                                                    const v1::GetStateRequest*, v1::GetState* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  MasterLoop* loop = &loop_;
  return answer(ctx, response, [loop](core::MasterEngine& engine, core::TimePoint) {
    return loop->stateSnapshot(engine);
  });
}

grpc::ServerUnaryReactor* OperatorService::GetAgents(grpc::CallbackServerContext* ctx,
                                                     const v1::GetAgentsRequest*,
                                                     v1::GetAgentsResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  MasterLoop* loop = &loop_;
  return answer(ctx, response, [loop](core::MasterEngine& engine, core::TimePoint) {
    v1::GetAgentsResponse out;
    for (const auto& [id, agent] : engine.agents()) *out.add_agents() = loop->agentState(engine, agent);
    return out;
  });
}

grpc::ServerUnaryReactor* OperatorService::GetFrameworks(grpc::CallbackServerContext* ctx,
                                                         const v1::GetFrameworksRequest*,
                                                         v1::GetFrameworksResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  MasterLoop* loop = &loop_;
  return answer(ctx, response, [loop](core::MasterEngine& engine, core::TimePoint) {
    v1::GetFrameworksResponse out;
    for (const auto& [id, fw] : engine.frameworks()) *out.add_frameworks() = loop->frameworkState(engine, fw);
    return out;
  });
}

grpc::ServerUnaryReactor* OperatorService::GetTasks(grpc::CallbackServerContext* ctx,
                                                    const v1::GetTasksRequest* request,
                                                    v1::GetTasksResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  MasterLoop* loop = &loop_;
  const std::string framework_id = request->framework_id();
  const std::string task_id = request->task_id();
  return answer(ctx, response,
                [loop, framework_id, task_id](core::MasterEngine& engine,
                                              core::TimePoint) -> absl::StatusOr<v1::GetTasksResponse> {
                  v1::GetTasksResponse out;
                  auto wanted = [&](const core::TaskRecord& t) {
                    return (framework_id.empty() || t.framework.value() == framework_id) &&
                           (task_id.empty() || t.spec.id.value() == task_id);
                  };
                  for (const auto& [key, task] : engine.tasks()) {
                    if (wanted(task)) *out.add_tasks() = loop->taskRecord(engine, task);
                  }
                  for (const auto& task : engine.completedTasks()) {
                    if (wanted(task)) *out.add_completed_tasks() = loop->taskRecord(engine, task);
                  }
                  if (!task_id.empty() && out.tasks_size() == 0 && out.completed_tasks_size() == 0) {
                    return absl::NotFoundError(absl::StrCat("task_id: no task '", task_id, "'"));
                  }
                  return out;
                });
}

grpc::ServerUnaryReactor* OperatorService::GetMetrics(grpc::CallbackServerContext* ctx,
                                                      const v1::GetMetricsRequest*,
                                                      v1::MetricsSnapshot* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
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
  return refuse(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* OperatorService::DrainAgent(grpc::CallbackServerContext* ctx,
                                                      const v1::DrainAgentRequest* request,
                                                      v1::DrainAgentResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  if (auto s = requireOperator(ctx); !s.ok()) return refuse(ctx, s);
  if (request->agent_id().empty()) {
    return refuse(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "agent_id: must be set"));
  }
  double g = request->max_grace_period_seconds();
  if (!std::isfinite(g) || g < 0 || g > 86400) {
    return refuse(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    "max_grace_period_seconds: must be between 0 and 86400"));
  }
  double d = request->deadline_seconds();
  if (!std::isfinite(d) || d < 0 || d > 30 * 86400.0) {
    return refuse(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    "deadline_seconds: must be between 0 and 30 days"));
  }
  core::AgentId id(request->agent_id());
  auto grace = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(g));
  std::optional<core::Duration> deadline;
  if (d > 0) deadline = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(d));
  return act(ctx, [id, grace, deadline](core::MasterEngine& engine, core::TimePoint now) {
    return engine.drainAgent(id, grace, now, deadline);
  });
}

grpc::ServerUnaryReactor* OperatorService::ReactivateAgent(grpc::CallbackServerContext* ctx,
                                                           const v1::ReactivateAgentRequest* request,
                                                           v1::ReactivateAgentResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  if (auto s = requireOperator(ctx); !s.ok()) return refuse(ctx, s);
  core::AgentId id(request->agent_id());
  return act(ctx, [id](core::MasterEngine& engine, core::TimePoint now) {
    return engine.reactivateAgent(id, now);
  });
}

grpc::ServerUnaryReactor* OperatorService::KillTask(grpc::CallbackServerContext* ctx,
                                                    const v1::KillTaskRequest* request,
                                                    v1::KillTaskResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  if (auto s = requireOperator(ctx); !s.ok()) return refuse(ctx, s);
  if (request->task_id().empty()) {
    return refuse(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "task_id: must be set"));
  }
  std::optional<core::Duration> grace;
  if (request->has_kill_policy()) {
    double g = request->kill_policy().grace_period_seconds();
    if (!std::isfinite(g) || g < 0 || g > 86400) {
      return refuse(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      "kill_policy.grace_period_seconds: must be between 0 and 86400"));
    }
    grace = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(g));
  }
  core::TaskId task(request->task_id());
  return act(ctx, [task, grace](core::MasterEngine& engine, core::TimePoint now) {
    return engine.operatorKill(task, grace, now);
  });
}

grpc::ServerUnaryReactor* OperatorService::SetWeights(grpc::CallbackServerContext* ctx,
                                                      const v1::SetWeightsRequest* request,
                                                      v1::SetWeightsResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  if (auto s = requireOperator(ctx); !s.ok()) return refuse(ctx, s);
  if (request->weights().empty()) {
    return refuse(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "weights: name at least one role"));
  }
  // The request lives until the call is finished, which is after this runs.
  return act(ctx, [request](core::MasterEngine& engine, core::TimePoint) {
    for (int i = 0; i < request->weights_size(); ++i) {
      const auto& w = request->weights(i);
      absl::Status s = engine.setWeight(core::RoleName(w.role()), w.weight());
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat("weights[", i, "].", s.message()));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* OperatorService::GetWeights(grpc::CallbackServerContext* ctx,
                                                      const v1::GetWeightsRequest*,
                                                      v1::GetWeightsResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  return answer(ctx, response, [](core::MasterEngine& engine, core::TimePoint) {
    v1::GetWeightsResponse out;
    for (const auto& [role, weight] : engine.allocator().weights()) {
      auto* w = out.add_weights();
      w->set_role(role.value());
      w->set_weight(weight);
    }
    return out;
  });
}

grpc::ServerUnaryReactor* OperatorService::SetQuota(grpc::CallbackServerContext* ctx,
                                                    const v1::SetQuotaRequest* request,
                                                    v1::SetQuotaResponse*) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  if (auto s = requireOperator(ctx); !s.ok()) return refuse(ctx, s);
  const core::RoleName role(request->quota().role());
  if (request->remove()) {
    return act(ctx, [role](core::MasterEngine& engine, core::TimePoint) {
      engine.removeQuota(role);
      return absl::OkStatus();
    });
  }
  core::Quota quota;
  auto guarantee = wire::resourcesFromProto(request->quota().guarantee(), "quota.guarantee");
  if (!guarantee.ok()) return refuse(ctx, toGrpc(guarantee.status()));
  auto limit = wire::resourcesFromProto(request->quota().limit(), "quota.limit");
  if (!limit.ok()) return refuse(ctx, toGrpc(limit.status()));
  quota.guarantee = *guarantee;
  quota.limit = *limit;
  return act(ctx, [role, quota](core::MasterEngine& engine, core::TimePoint) {
    return engine.setQuota(role, quota);
  });
}

grpc::ServerUnaryReactor* OperatorService::GetQuota(grpc::CallbackServerContext* ctx,
                                                    const v1::GetQuotaRequest*,
                                                    v1::GetQuotaResponse* response) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return refuse(ctx, s);
  return answer(ctx, response, [](core::MasterEngine& engine, core::TimePoint) {
    v1::GetQuotaResponse out;
    for (const auto& [role, quota] : engine.allocator().quotas()) {
      auto* q = out.add_quotas();
      q->set_role(role.value());
      wire::resourcesToProto(quota.guarantee, q->mutable_guarantee());
      wire::resourcesToProto(quota.limit, q->mutable_limit());
    }
    return out;
  });
}

grpc::ServerWriteReactor<v1::OperatorEvent>* OperatorService::Subscribe(
    grpc::CallbackServerContext* ctx, const v1::SubscribeEventsRequest*) {
  auto* stream = new OperatorEventStream(loop_);
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) {
    stream->fail(s);
    return stream;
  }
  stream->subscribe();
  return stream;
}

}  // namespace orch::master
