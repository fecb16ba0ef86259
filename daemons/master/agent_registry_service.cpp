#include "master/agent_registry_service.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/tls/grpc_tls.h"
#include "common/wire/wire_convert.h"
#include "master/grpc_status.h"

namespace orch::master {

namespace v1 = orchestrator::v1;

namespace {

absl::StatusOr<core::AgentDescription> describe(const v1::AgentInfo& info) {
  core::AgentDescription desc;
  desc.id = core::AgentId(info.agent_id());
  desc.hostname = info.hostname();
  desc.endpoint = info.endpoint();
  desc.http_endpoint = info.http_endpoint();
  auto resources = wire::resourcesFromProto(info.resources(), "agent_info.resources");
  if (!resources.ok()) return resources.status();
  if (resources->empty()) {
    return absl::InvalidArgumentError("agent_info.resources: an agent must offer resources");
  }
  desc.resources = *std::move(resources);
  for (const auto& a : info.attributes()) desc.attributes.emplace_back(a.name(), a.text());
  return desc;
}

}  // namespace

grpc::Status AgentRegistryService::Connect(
    grpc::ServerContext* ctx, grpc::ServerReaderWriter<v1::MasterMessage, v1::AgentMessage>* stream) {
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) return s;
  const std::string role = tls::peerRole(*ctx);
  if (role != "agent" && role != "master") {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("only agent certificates may register agents (this one is '",
                                     role, "')"));
  }
  v1::AgentMessage first;
  if (!stream->Read(&first)) return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed");
  if (!first.has_register_agent() && !first.has_reregister_agent()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message must be register or reregister");
  }

  auto sink = std::make_shared<AgentSink>();
  absl::StatusOr<core::AgentId> registered;
  if (first.has_register_agent()) {
    auto desc = describe(first.register_agent().agent_info());
    if (!desc.ok()) return toGrpc(desc.status());
    registered = loop_.call([&](core::MasterEngine& engine, core::TimePoint now) {
      core::AgentId id = engine.registerAgent(*desc, now);
      v1::MasterMessage reply;
      reply.mutable_registered()->set_agent_id(id.value());
      reply.mutable_registered()->set_heartbeat_interval_seconds(
          std::chrono::duration<double>(loop_.options().heartbeat_interval).count());
      sink->push(std::move(reply));
      loop_.attachAgent(id, sink);
      return absl::StatusOr<core::AgentId>(id);
    });
  } else {
    const auto& re = first.reregister_agent();
    auto desc = describe(re.agent_info());
    if (!desc.ok()) return toGrpc(desc.status());
    std::vector<core::MasterEngine::ReportedTask> tasks;
    const core::TimePoint now0 = wire::steadyNow();
    for (int i = 0; i < re.tasks_size(); ++i) {
      auto spec = wire::taskSpecFromProto(re.tasks(i), absl::StrCat("reregister.tasks[", i, "]"));
      if (!spec.ok()) return toGrpc(spec.status());
      core::MasterEngine::ReportedTask task;
      task.spec = *std::move(spec);
      task.framework = core::FrameworkId(i < re.framework_ids_size() ? re.framework_ids(i) : "");
      if (task.framework.empty()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("reregister.framework_ids[", i, "]: must be set"));
      }
      if (i < re.task_statuses_size()) {
        task.status = wire::statusFromProto(re.task_statuses(i), now0);
      } else {
        task.status.state = core::TaskState::kRunning;
      }
      task.status.task = task.spec.id;
      tasks.push_back(std::move(task));
    }
    registered = loop_.call([&](core::MasterEngine& engine, core::TimePoint now) {
      absl::Status s = engine.reregisterAgent(*desc, tasks, now);
      if (!s.ok()) return absl::StatusOr<core::AgentId>(s);
      v1::MasterMessage reply;
      reply.mutable_registered()->set_agent_id(desc->id.value());
      reply.mutable_registered()->set_heartbeat_interval_seconds(
          std::chrono::duration<double>(loop_.options().heartbeat_interval).count());
      // Registered must precede any effect routed to this agent.
      sink->push(std::move(reply));
      loop_.attachAgent(desc->id, sink);
      return absl::StatusOr<core::AgentId>(desc->id);
    });
  }
  if (!registered.ok()) return toGrpc(registered.status());
  const core::AgentId id = *registered;
  orch::log::logInfo("agent connected", {{"agent_id", id.value()},
                                         {"reregister", first.has_reregister_agent()},
                                         {"principal", tls::peerPrincipal(*ctx)}});

  std::thread writer([&] {
    while (true) {
      auto message = sink->nextWrite(std::chrono::milliseconds(200));  // a burst goes as one
      if (!message) {
        if (sink->closed() || ctx->IsCancelled()) break;
        continue;
      }
      if (!stream->Write(*message)) break;
    }
    sink->close();
    ctx->TryCancel();  // wakes the reader below
  });

  // One message from the agent (a batch is handled in order, as one turn of the loop).
  auto handle = [id, sink](core::MasterEngine& engine, core::TimePoint now, const v1::AgentMessage& m) {
    if (m.has_heartbeat()) {
      absl::Status s = engine.heartbeat(id, now);
      if (!s.ok()) sink->close();  // the agent reconnects and re-registers
    } else if (m.has_status_update()) {
      absl::Status s = engine.statusUpdate(id, wire::statusFromProto(m.status_update().status(), now), now);
      if (!s.ok() && !engine.isAgentRegistered(id)) {
        sink->close();  // unreachable or unknown: the agent reconnects and re-registers
      } else if (!s.ok()) {
        orch::log::logWarn("status update rejected",
                           {{"agent_id", id.value()}, {"error", std::string(s.message())}});
      }
    } else if (m.batch().empty()) {
      orch::log::logWarn("unexpected message from agent", {{"agent_id", id.value()}});
    }
  };
  auto message = std::make_shared<v1::AgentMessage>();
  while (stream->Read(message.get())) {
    loop_.post([handle, message](core::MasterEngine& engine, core::TimePoint now) {
      if (message->message_case() != v1::AgentMessage::MESSAGE_NOT_SET) handle(engine, now, *message);
      for (const v1::AgentMessage& m : message->batch()) {
        if (m.batch_size() > 0) continue;  // never nested
        handle(engine, now, m);
      }
    });
    message = std::make_shared<v1::AgentMessage>();
    if (sink->closed()) break;
  }
  sink->close();
  writer.join();
  loop_.post([this, id, sink](core::MasterEngine& engine, core::TimePoint now) {
    if (loop_.detachAgent(id, sink)) engine.agentDisconnected(id, now);
  });
  orch::log::logInfo("agent stream closed", {{"agent_id", id.value()}});
  return grpc::Status::OK;
}

}  // namespace orch::master
