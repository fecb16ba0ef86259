#include "master/scheduler_service.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/tls/grpc_tls.h"
#include "common/wire/wire_convert.h"
#include "master/grpc_status.h"
#include "master/held_event_stream.h"

namespace orch::master {

namespace v1 = orchestrator::v1;

namespace {

absl::StatusOr<std::optional<core::Duration>> refuseFrom(const v1::Filters& filters, bool present,
                                                          const std::string& field) {
  if (!present) return std::optional<core::Duration>();
  double s = filters.refuse_seconds();
  if (!std::isfinite(s) || s < 0 || s > 365 * 86400.0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".refuse_seconds: must be between 0 and one year"));
  }
  return std::optional<core::Duration>(
      std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(s)));
}

std::vector<core::OfferId> offerIds(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::vector<core::OfferId> out;
  for (const auto& id : ids) out.emplace_back(id);
  return out;
}

absl::StatusOr<std::vector<core::LaunchOperation>> operationsFrom(const v1::Call::Accept& accept) {
  std::vector<core::LaunchOperation> ops;
  for (int i = 0; i < accept.operations_size(); ++i) {
    const auto& op = accept.operations(i);
    core::LaunchOperation launch;
    const google::protobuf::RepeatedPtrField<v1::TaskInfo>* tasks = nullptr;
    std::string prefix;
    switch (op.type()) {
      case v1::Call::Operation::LAUNCH:
        tasks = &op.launch().task_infos();
        prefix = absl::StrCat("operations[", i, "].launch.task_infos");
        break;
      case v1::Call::Operation::LAUNCH_GROUP:
        launch.group = true;
        tasks = &op.launch_group().task_group().tasks();
        prefix = absl::StrCat("operations[", i, "].launch_group.task_group.tasks");
        break;
      case v1::Call::Operation::RESERVE:
      case v1::Call::Operation::UNRESERVE: {
        const bool reserve = op.type() == v1::Call::Operation::RESERVE;
        launch.type = reserve ? core::LaunchOperation::Type::kReserve
                              : core::LaunchOperation::Type::kUnreserve;
        auto resources = wire::resourcesFromProto(
            reserve ? op.reserve().resources() : op.unreserve().resources(),
            absl::StrCat("operations[", i, "].", reserve ? "reserve" : "unreserve", ".resources"));
        if (!resources.ok()) return resources.status();
        launch.resources = *std::move(resources);
        ops.push_back(std::move(launch));
        continue;
      }
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            "operations[", i, "].type: must be LAUNCH, LAUNCH_GROUP, RESERVE or UNRESERVE"));
    }
    for (int j = 0; j < tasks->size(); ++j) {
      auto spec = wire::taskSpecFromProto((*tasks)[j], absl::StrCat(prefix, "[", j, "]"));
      if (!spec.ok()) return spec.status();
      launch.tasks.push_back(*std::move(spec));
      launch.task_agent_ids.push_back((*tasks)[j].agent_id());
    }
    ops.push_back(std::move(launch));
  }
  return ops;
}

// One framework's event stream. Subscribing runs on the loop; SUBSCRIBED and every later
// event are written from the queue the loop pushes to (OutgoingStream), and the stream ends when
// the loop closes that queue (teardown, a newer subscription) or the framework goes away.
// Held until the subscription is durable: SUBSCRIBED must not announce a framework id a
// restarted master would not know (and could hand out again).
class FrameworkEventStream final : public HeldEventStream<v1::Event> {
 public:
  explicit FrameworkEventStream(MasterLoop& loop) : loop_(loop) {}

  void subscribe(core::FrameworkDescription desc) {
    auto sink = sink_;
    auto id = id_;
    MasterLoop* loop = &loop_;
    loop_.callAsync(
        [loop, desc, sink, id](core::MasterEngine& engine, core::TimePoint now) -> absl::Status {
      auto subscribed = engine.subscribe(desc, now);
      if (!subscribed.ok()) return subscribed.status();
      *id = *subscribed;
      v1::Event event;
      event.set_type(v1::Event::SUBSCRIBED);
      event.mutable_subscribed()->set_framework_id(subscribed->value());
      event.mutable_subscribed()->set_master_id(loop->options().master_id);
      event.mutable_subscribed()->set_heartbeat_interval_seconds(
          std::chrono::duration<double>(loop->options().heartbeat_interval).count());
      sink->push(std::move(event));  // first: events routed to the framework from now on follow it
      loop->attachFramework(*subscribed, sink);
      orch::log::logInfo("framework subscribed",
                         {{"framework_id", subscribed->value()}, {"name", desc.name}, {"principal", desc.principal}});
      return absl::OkStatus();
        },
        releaseWhenSubscribed());
  }

  void OnDone() override {
    detachStream();
    auto sink = sink_;
    auto id = id_;
    MasterLoop* loop = &loop_;
    loop_.post([loop, sink, id](core::MasterEngine& engine, core::TimePoint now) {
      if (id->empty()) return;  // never subscribed
      if (loop->detachFramework(*id, sink)) engine.frameworkDisconnected(*id, now);
      orch::log::logInfo("framework stream closed", {{"framework_id", id->value()}});
    });
    delete this;
  }

 private:
  MasterLoop& loop_;
  std::shared_ptr<core::FrameworkId> id_ = std::make_shared<core::FrameworkId>();  // set on the loop
};

}  // namespace

grpc::ServerWriteReactor<v1::Event>* SchedulerService::Subscribe(grpc::CallbackServerContext* ctx,
                                                                 const v1::SubscribeRequest* request) {
  auto* stream = new FrameworkEventStream(loop_);
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) {
    stream->fail(s);
    return stream;
  }
  const v1::FrameworkInfo& info = request->framework_info();
  core::FrameworkDescription desc;
  desc.id = core::FrameworkId(info.framework_id());
  desc.name = info.name();
  desc.user = info.user();
  desc.hostname = info.hostname();
  desc.principal = tls::peerPrincipal(*ctx);
  for (const auto& role : info.roles()) desc.roles.emplace_back(role);
  for (const auto& cap : info.capabilities()) {
    if (cap.type() == v1::FrameworkInfo::Capability::GPU_RESOURCES) desc.gpu_resources = true;
  }
  if (!std::isfinite(info.failover_timeout()) || info.failover_timeout() < 0) {
    stream->fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "framework_info.failover_timeout: must be a non-negative number of seconds"));
    return stream;
  }
  desc.failover_timeout = std::chrono::duration_cast<core::Duration>(
      std::chrono::duration<double>(std::min(info.failover_timeout(), 365 * 86400.0)));
  stream->subscribe(std::move(desc));
  return stream;
}

grpc::ServerUnaryReactor* SchedulerService::Call(grpc::CallbackServerContext* ctx, const v1::Call* call,
                                                 v1::CallResponse*) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (auto s = requireLeader(leadership_, ctx); !s.ok()) {
    reactor->Finish(s);
    return reactor;
  }
  auto finish = [reactor](const absl::Status& s) { reactor->Finish(toGrpc(s)); };
  auto reply = [reactor](grpc::Status s) { reactor->Finish(std::move(s)); };
  if (call->framework_id().empty()) {
    reply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "framework_id: must be set"));
    return reactor;
  }
  const core::FrameworkId fw(call->framework_id());
  // Each case validates what it can here, then runs on the loop; the reply goes once the
  // changes are durable.
  using Op = std::function<absl::Status(core::MasterEngine&, core::TimePoint)>;
  Op op;
  switch (call->type()) {
    case v1::Call::ACCEPT: {
      auto ids = offerIds(call->accept().offer_ids());
      auto ops = operationsFrom(call->accept());
      if (!ops.ok()) {
        // The offers are still returned: an invalid accept uses them up.
        const absl::Status error = absl::InvalidArgumentError(
            absl::StrCat(ops.status().message(), "; the offers were returned to the cluster"));
        op = [fw, ids, error](core::MasterEngine& engine, core::TimePoint now) {
          engine.decline(fw, ids, core::Duration::zero(), now).IgnoreError();
          return error;
        };
        break;
      }
      auto refuse = refuseFrom(call->accept().filters(), call->accept().has_filters(), "accept.filters");
      if (!refuse.ok()) {
        finish(refuse.status());
        return reactor;
      }
      auto shared_ops = std::make_shared<std::vector<core::LaunchOperation>>(*std::move(ops));
      op = [fw, ids, shared_ops, refuse = *refuse](core::MasterEngine& engine, core::TimePoint now) {
        return engine.accept(fw, ids, *shared_ops, refuse, now);
      };
      break;
    }
    case v1::Call::DECLINE: {
      auto refuse = refuseFrom(call->decline().filters(), call->decline().has_filters(), "decline.filters");
      if (!refuse.ok()) {
        finish(refuse.status());
        return reactor;
      }
      op = [fw, ids = offerIds(call->decline().offer_ids()), refuse = *refuse](core::MasterEngine& engine,
                                                                             core::TimePoint now) {
        return engine.decline(fw, ids, refuse, now);
      };
      break;
    }
    case v1::Call::REVIVE:
      op = [fw](core::MasterEngine& e, core::TimePoint now) { return e.revive(fw, now); };
      break;
    case v1::Call::SUPPRESS:
      op = [fw](core::MasterEngine& e, core::TimePoint now) { return e.suppress(fw, now); };
      break;
    case v1::Call::KILL: {
      if (call->kill().task_id().empty()) {
        reply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "kill.task_id: must be set"));
        return reactor;
      }
      std::optional<core::Duration> grace;
      if (call->kill().has_kill_policy()) {
        double g = call->kill().kill_policy().grace_period_seconds();
        if (!std::isfinite(g) || g < 0 || g > 86400) {
          reply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                             "kill.kill_policy.grace_period_seconds: must be between 0 and 86400"));
          return reactor;
        }
        grace = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(g));
      }
      op = [fw, task = core::TaskId(call->kill().task_id()), grace](core::MasterEngine& e, core::TimePoint now) {
        return e.kill(fw, task, grace, now);
      };
      break;
    }
    case v1::Call::ACKNOWLEDGE: {
      // `acknowledge`, `acknowledgements`, or both (a batch from one framework).
      struct Ack {
        std::string field;
        core::TaskId task;
        std::string uuid;
      };
      auto acks = std::make_shared<std::vector<Ack>>();
      const bool single = call->has_acknowledge();
      if (single || call->acknowledgements().empty()) {
        acks->push_back({"acknowledge", core::TaskId(call->acknowledge().task_id()), call->acknowledge().uuid()});
      }
      for (int i = 0; i < call->acknowledgements_size(); ++i) {
        const auto& a = call->acknowledgements(i);
        acks->push_back({absl::StrCat("acknowledgements[", i, "]"), core::TaskId(a.task_id()), a.uuid()});
      }
      for (const Ack& a : *acks) {
        if (a.task.empty() || a.uuid.empty()) {
          reply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                             absl::StrCat(a.field, ".task_id and ", a.field, ".uuid: must be set")));
          return reactor;
        }
      }
      op = [fw, acks](core::MasterEngine& e, core::TimePoint now) {
        absl::Status first;
        for (const Ack& a : *acks) {
          absl::Status s = e.acknowledge(fw, a.task, a.uuid, now);
          if (!s.ok() && first.ok()) {
            first = absl::Status(s.code(), acks->size() == 1 ? std::string(s.message())
                                                             : absl::StrCat(a.field, ": ", s.message()));
          }
        }
        return first;
      };
      break;
    }
    case v1::Call::RECONCILE: {
      std::vector<core::TaskId> tasks;
      for (const auto& t : call->reconcile().tasks()) tasks.emplace_back(t.task_id());
      op = [fw, tasks](core::MasterEngine& e, core::TimePoint now) { return e.reconcile(fw, tasks, now); };
      break;
    }
    case v1::Call::TEARDOWN:
      op = [fw](core::MasterEngine& e, core::TimePoint now) { return e.teardown(fw, now); };
      break;
    default:
      reply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat("type: unknown call type ", static_cast<int>(call->type()))));
      return reactor;
  }
  loop_.callAsync(std::move(op), finish, MasterLoop::Wake::kCallerDrains);
  loop_.drainHere();  // a gRPC thread holding no lock: runs the call here unless the engine is busy
  return reactor;
}

}  // namespace orch::master
