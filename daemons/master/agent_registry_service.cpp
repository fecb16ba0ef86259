#include "master/agent_registry_service.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/tls/grpc_tls.h"
#include "common/wire/wire_convert.h"
#include "master/grpc_status.h"
#include "master/outgoing_stream.h"

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

// Reads the registration from a message (register or reregister) into what the engine needs.
struct Registration {
  bool reregister = false;
  core::AgentDescription desc;
  std::vector<core::MasterEngine::ReportedTask> tasks;
};

absl::StatusOr<Registration> registrationFrom(const v1::AgentMessage& first) {
  if (!first.has_register_agent() && !first.has_reregister_agent()) {
    return absl::InvalidArgumentError("the first message must be register or reregister");
  }
  Registration reg;
  if (first.has_register_agent()) {
    auto desc = describe(first.register_agent().agent_info());
    if (!desc.ok()) return desc.status();
    reg.desc = *std::move(desc);
    return reg;
  }
  reg.reregister = true;
  const auto& re = first.reregister_agent();
  auto desc = describe(re.agent_info());
  if (!desc.ok()) return desc.status();
  reg.desc = *std::move(desc);
  const core::TimePoint now0 = wire::steadyNow();
  for (int i = 0; i < re.tasks_size(); ++i) {
    auto spec = wire::taskSpecFromProto(re.tasks(i), absl::StrCat("reregister.tasks[", i, "]"));
    if (!spec.ok()) return spec.status();
    core::MasterEngine::ReportedTask task;
    task.spec = *std::move(spec);
    task.framework = core::FrameworkId(i < re.framework_ids_size() ? re.framework_ids(i) : "");
    if (task.framework.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("reregister.framework_ids[", i, "]: must be set"));
    }
    if (i < re.task_statuses_size()) {
      task.status = wire::statusFromProto(re.task_statuses(i), now0);
    } else {
      task.status.state = core::TaskState::kRunning;
    }
    task.status.task = task.spec.id;
    reg.tasks.push_back(std::move(task));
  }
  return reg;
}

// One message from the agent (a batch is handled in order, as one turn of the loop).
void handleAgentMessage(core::MasterEngine& engine, core::TimePoint now, const core::AgentId& id,
                        AgentSink& sink, const v1::AgentMessage& m) {
  if (m.has_heartbeat()) {
    absl::Status s = engine.heartbeat(id, now);
    if (!s.ok()) sink.close();  // the agent reconnects and re-registers
  } else if (m.has_status_update()) {
    absl::Status s = engine.statusUpdate(id, wire::statusFromProto(m.status_update().status(), now), now);
    if (!s.ok() && !engine.isAgentRegistered(id)) {
      sink.close();  // unreachable or unknown: the agent reconnects and re-registers
    } else if (!s.ok()) {
      orch::log::logWarn("status update rejected", {{"agent_id", id.value()}, {"error", std::string(s.message())}});
    }
  } else if (m.batch().empty()) {
    orch::log::logWarn("unexpected message from agent", {{"agent_id", id.value()}});
  }
}

// One agent's stream. The first message registers (on the loop); every later one is handed to
// the loop as it arrives. The loop's messages to the agent are written from its queue
// (OutgoingStream); the stream ends when the loop closes that queue or the agent goes away.
class AgentConnection final : public grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage> {
 public:
  AgentConnection(MasterLoop& loop, std::string principal)
      : loop_(loop), principal_(std::move(principal)), sink_(std::make_shared<AgentSink>()) {
    // Held until the registration is durable (Registered must not announce an agent id a
    // restarted master would not know).
    out_ = OutgoingStream<v1::MasterMessage, true>::create(
        sink_, {[this](const v1::MasterMessage* m) { StartWrite(m); },
                [this](grpc::Status s) { Finish(std::move(s)); }},
        /*held=*/true);
    shared_->connection = this;
  }

  void start() {
    std::lock_guard<std::recursive_mutex> lock(shared_->mu);
    readNext();
  }
  void fail(grpc::Status s) {
    out_->finishWith(std::move(s));
    out_->release();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the agent closed its side, or the stream broke
      out_->abort();
      return;
    }
    {
      std::lock_guard<std::recursive_mutex> lock(shared_->mu);
      std::shared_ptr<v1::AgentMessage> message = std::move(in_);
      if (!registered_) {
        registerAgent(*message);  // the next read starts once the loop has registered it
        return;
      }
      post(std::move(message));  // queued in stream order, before the next read starts
      readNext();
    }
    loop_.drainHere();  // outside the stream's lock: the work may take it
  }

  void OnWriteDone(bool ok) override { out_->writeDone(ok); }
  void OnCancel() override { out_->abort(); }
  void OnDone() override {
    out_->detach();
    sink_->close();
    std::optional<core::AgentId> id;
    {
      std::lock_guard<std::recursive_mutex> lock(shared_->mu);
      shared_->connection = nullptr;  // a registration still on the loop detaches by itself
      id = id_;
    }
    if (id) detach(loop_, *id, sink_);
    delete this;
  }

 private:
  // What outlives the reactor: a registration finishing on the loop finds it gone here.
  struct Shared {
    std::recursive_mutex mu;  // taken by the reactions and by the registration reply on the loop
    AgentConnection* connection = nullptr;
  };

  static void detach(MasterLoop& loop, const core::AgentId& id, std::shared_ptr<AgentSink> sink) {
    MasterLoop* l = &loop;
    loop.post([l, id, sink](core::MasterEngine& engine, core::TimePoint now) {
      if (l->detachAgent(id, sink)) engine.agentDisconnected(id, now);
    });
    orch::log::logInfo("agent stream closed", {{"agent_id", id.value()}});
  }

  // With shared_->mu held. Started under the stream's lock and only while it is not finished:
  // from the loop thread no other operation holds the call open, and a read started after
  // Finish completed would outlive the reactor.
  void readNext() {
    if (sink_->closed()) return;  // the stream is ending: read no more
    out_->unlessFinished([this] {
      in_ = std::make_shared<v1::AgentMessage>();
      StartRead(in_.get());
    });
  }

  // With shared_->mu held.
  void registerAgent(const v1::AgentMessage& first) {
    auto reg = registrationFrom(first);
    if (!reg.ok()) {
      fail(toGrpc(reg.status()));
      return;
    }
    registered_ = true;
    auto registration = std::make_shared<Registration>(*std::move(reg));
    auto sink = sink_;
    auto shared = shared_;
    MasterLoop* loop = &loop_;
    const std::string principal = principal_;
    loop_.callAsync(
        [loop, registration, sink](core::MasterEngine& engine, core::TimePoint now) -> absl::StatusOr<core::AgentId> {
          core::AgentId id = registration->desc.id;
          if (registration->reregister) {
            absl::Status s = engine.reregisterAgent(registration->desc, registration->tasks, now);
            if (!s.ok()) return s;
          } else {
            id = engine.registerAgent(registration->desc, now);
          }
          v1::MasterMessage reply;
          reply.mutable_registered()->set_agent_id(id.value());
          reply.mutable_registered()->set_heartbeat_interval_seconds(
              std::chrono::duration<double>(loop->options().heartbeat_interval).count());
          // Registered must precede any effect routed to this agent.
          sink->push(std::move(reply));
          loop->attachAgent(id, sink);
          return id;
        },
        [loop, shared, sink, registration, principal](absl::StatusOr<core::AgentId> id) {
          // On the loop thread, once the registration is durable.
          std::lock_guard<std::recursive_mutex> lock(shared->mu);
          AgentConnection* c = shared->connection;
          if (!id.ok()) {
            if (c) c->fail(toGrpc(id.status()));
            return;
          }
          if (!c) {  // the agent went away meanwhile
            detach(*loop, *id, sink);
            return;
          }
          c->id_ = *id;
          orch::log::logInfo("agent connected", {{"agent_id", id->value()},
                                                 {"reregister", registration->reregister},
                                                 {"principal", principal}});
          c->out_->release();  // Registered (pushed first) goes out now
          c->readNext();
        });
  }

  // With shared_->mu held.
  void post(std::shared_ptr<v1::AgentMessage> message) {
    const core::AgentId id = *id_;
    auto sink = sink_;
    loop_.post(
        [id, sink, message](core::MasterEngine& engine, core::TimePoint now) {
          if (message->message_case() != v1::AgentMessage::MESSAGE_NOT_SET) {
            handleAgentMessage(engine, now, id, *sink, *message);
          }
          for (const v1::AgentMessage& m : message->batch()) {
            if (m.batch_size() > 0) continue;  // never nested
            handleAgentMessage(engine, now, id, *sink, m);
          }
        },
        MasterLoop::Wake::kCallerDrains);
  }

  MasterLoop& loop_;
  const std::string principal_;
  std::shared_ptr<AgentSink> sink_;
  std::shared_ptr<OutgoingStream<v1::MasterMessage, true>> out_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::shared_ptr<v1::AgentMessage> in_;
  bool registered_ = false;
  std::optional<core::AgentId> id_;
};

}  // namespace

grpc::ServerBidiReactor<v1::AgentMessage, v1::MasterMessage>* AgentRegistryService::Connect(
    grpc::CallbackServerContext* ctx) {
  auto* connection = new AgentConnection(loop_, tls::peerPrincipal(*ctx));
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) {
    connection->fail(s);
    return connection;
  }
  const std::string role = tls::peerRole(*ctx);
  if (role != "agent" && role != "master") {
    connection->fail(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                  absl::StrCat("only agent certificates may register agents (this one is '", role,
                                               "')")));
    return connection;
  }
  connection->start();
  return connection;
}

}  // namespace orch::master
