#include "client/scheduler_session.h"

#include "absl/strings/str_cat.h"
#include "client/rpc_status.h"

namespace orch::client {

namespace v1 = orchestrator::v1;

absl::StatusOr<std::unique_ptr<SchedulerSession>> SchedulerSession::create(
    const ClientConfig& config, SchedulerEventHandler& handler, Options options) {
  auto masters = MasterChannels::create(config);
  if (!masters.ok()) return masters.status();
  return std::make_unique<SchedulerSession>(*std::move(masters), handler, options);
}

absl::StatusOr<std::unique_ptr<SchedulerSession>> SchedulerSession::create(
    const ClientConfig& config, SchedulerEventHandler& handler) {
  return create(config, handler, Options{});
}

SchedulerSession::SchedulerSession(std::shared_ptr<MasterChannels> masters,
                                   SchedulerEventHandler& handler, Options options)
    : masters_(std::move(masters)), handler_(handler), options_(options) {}

SchedulerSession::~SchedulerSession() { stop(); }

absl::Status SchedulerSession::subscribe(const v1::FrameworkInfo& info) {
  std::lock_guard lock(mu_);
  if (started_) return absl::FailedPreconditionError("this session has already subscribed");
  if (masters_->size() == 0) return absl::FailedPreconditionError("no master configured");
  started_ = true;
  reader_ = std::thread([this, info] { readLoop(info); });
  if (options_.auto_acknowledge) acker_ = std::thread([this] { ackLoop(); });
  return absl::OkStatus();
}

void SchedulerSession::ackLoop() {
  constexpr size_t kMaxBatch = 1000;
  while (true) {
    std::vector<v1::Call::Acknowledge> batch;
    {
      std::unique_lock lock(mu_);
      stop_cv_.wait(lock, [this] { return stopping_ || !acks_.empty(); });
      if (stopping_) return;  // unacknowledged updates are resent by the master
      while (!acks_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(acks_.front()));
        acks_.pop_front();
      }
    }
    v1::Call call;
    call.set_type(v1::Call::ACKNOWLEDGE);
    if (batch.size() == 1) {
      *call.mutable_acknowledge() = std::move(batch.front());
    } else {
      for (auto& a : batch) *call.add_acknowledgements() = std::move(a);
    }
    // A failed acknowledgement is harmless: the master resends the update.
    (void)send(std::move(call));
  }
}

void SchedulerSession::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (stream_context_ != nullptr) stream_context_->TryCancel();
  }
  stop_cv_.notify_all();
  if (reader_.joinable() && reader_.get_id() != std::this_thread::get_id()) reader_.join();
  if (acker_.joinable() && acker_.get_id() != std::this_thread::get_id()) acker_.join();
}

std::string SchedulerSession::frameworkId() const {
  std::lock_guard lock(mu_);
  return framework_id_;
}

std::string SchedulerSession::masterAddress() const {
  std::lock_guard lock(mu_);
  return master_address_;
}

void SchedulerSession::readLoop(v1::FrameworkInfo info) {
  bool subscribed_once = false;
  std::optional<std::chrono::steady_clock::time_point> give_up_at;
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    v1::SubscribeRequest request;
    *request.mutable_framework_info() = info;
    {
      std::lock_guard lock(mu_);
      if (!framework_id_.empty()) request.mutable_framework_info()->set_framework_id(framework_id_);
    }
    Attempt attempt = subscribeOnce(request);
    if (attempt.stopped) {
      handler_.onDisconnected(absl::OkStatus());
      return;
    }
    if (attempt.got_any) {
      subscribed_once = true;
      give_up_at.reset();
      backoff = std::chrono::milliseconds(100);
    }
    // Only a session that was established is resumed; refusals (a bad FrameworkInfo, a
    // permission) are final.
    const bool retryable = isTransportFailure(attempt.status) || absl::IsDeadlineExceeded(attempt.status);
    if (!subscribed_once || !retryable || options_.resubscribe_for.count() <= 0) {
      handler_.onDisconnected(attempt.status);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!give_up_at) {
      give_up_at = now + options_.resubscribe_for;
      handler_.onReconnecting(attempt.status);
    } else if (now >= *give_up_at) {
      handler_.onDisconnected(absl::UnavailableError(absl::StrCat(
          "no master took the subscription back within ",
          std::chrono::duration_cast<std::chrono::seconds>(options_.resubscribe_for).count(),
          " s; last error: ", attempt.status.message())));
      return;
    }
    std::unique_lock lock(mu_);
    if (stop_cv_.wait_for(lock, backoff, [this] { return stopping_; })) {
      lock.unlock();
      handler_.onDisconnected(absl::OkStatus());
      return;
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
}

SchedulerSession::Attempt SchedulerSession::subscribeOnce(const v1::SubscribeRequest& request) {
  Attempt out;
  out.status = absl::UnavailableError("no master configured");
  for (const MasterChannels::Endpoint& endpoint : masters_->inPreferenceOrder()) {
    grpc::ClientContext context;
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        out.stopped = true;
        return out;
      }
      stream_context_ = &context;
      master_address_ = endpoint.address;
      channel_ = endpoint.channel;
    }
    auto stub = v1::Scheduler::NewStub(endpoint.channel);
    auto reader = stub->Subscribe(&context, request);
    v1::Event event;
    bool got_any = false;
    while (reader->Read(&event)) {
      if (!got_any) {
        got_any = true;
        out.got_any = true;
        masters_->prefer(endpoint.address);
      }
      dispatch(event);
    }
    const grpc::Status finish = reader->Finish();
    {
      std::lock_guard lock(mu_);
      stream_context_ = nullptr;
      out.stopped = stopping_ || torn_down_;
    }
    if (out.stopped) return out;
    if (finish.ok()) {
      out.status = got_any ? absl::UnavailableError(
                                 absl::StrCat("master at ", endpoint.address, " closed the event stream"))
                           : absl::UnavailableError(absl::StrCat("master at ", endpoint.address,
                                                                 " closed the event stream before "
                                                                 "SUBSCRIBED"));
      return out;
    }
    out.status = fromGrpcStatus(finish, masterLabel(endpoint.address));
    if (endpoint.channel->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
      masters_->renew(endpoint.address);  // see OperatorClient::unary
    }
    // Try the next master only when this one could not be reached at all (or is a standby).
    if (got_any || !isTransportFailure(out.status)) return out;
  }
  return out;
}

void SchedulerSession::dispatch(const v1::Event& event) {
  switch (event.type()) {
    case v1::Event::SUBSCRIBED: {
      {
        std::lock_guard lock(mu_);
        framework_id_ = event.subscribed().framework_id();
      }
      handler_.onSubscribed(event.subscribed());
      break;
    }
    case v1::Event::OFFERS: {
      std::vector<v1::Offer> offers(event.offers().offers().begin(), event.offers().offers().end());
      handler_.onOffers(offers);
      break;
    }
    case v1::Event::RESCIND:
      handler_.onRescind(event.rescind().offer_id());
      break;
    case v1::Event::UPDATE: {
      const v1::TaskStatus& status = event.update().status();
      handler_.onUpdate(status);
      if (options_.auto_acknowledge && !status.uuid().empty()) {
        // Sent by the acknowledging thread, batched with whatever else arrived meanwhile: the
        // event stream is never held up by a round trip.
        v1::Call::Acknowledge ack;
        ack.set_agent_id(status.agent_id());
        ack.set_task_id(status.task_id());
        ack.set_uuid(status.uuid());
        {
          std::lock_guard lock(mu_);
          acks_.push_back(std::move(ack));
        }
        stop_cv_.notify_all();
      }
      break;
    }
    case v1::Event::HEARTBEAT:
      handler_.onHeartbeat();
      break;
    case v1::Event::ERROR:
      handler_.onError(event.error().message());
      break;
    case v1::Event::FAILURE:
      handler_.onFailure(event.failure());
      break;
    default:
      break;
  }
}

absl::Status SchedulerSession::send(v1::Call call) {
  std::shared_ptr<grpc::Channel> channel;
  std::string address;
  {
    std::lock_guard lock(mu_);
    if (framework_id_.empty()) {
      return absl::FailedPreconditionError(
          "the framework is not subscribed yet (no SUBSCRIBED event received)");
    }
    call.set_framework_id(framework_id_);
    channel = channel_;
    address = master_address_;
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  auto stub = v1::Scheduler::NewStub(channel);
  v1::CallResponse response;
  return fromGrpcStatus(stub->Call(&context, call, &response), masterLabel(address));
}

absl::Status SchedulerSession::accept(const std::vector<std::string>& offer_ids,
                                      const std::vector<v1::Call::Operation>& operations,
                                      const v1::Filters& filters) {
  v1::Call call;
  call.set_type(v1::Call::ACCEPT);
  v1::Call::Accept* accept = call.mutable_accept();
  for (const std::string& id : offer_ids) accept->add_offer_ids(id);
  for (const v1::Call::Operation& op : operations) *accept->add_operations() = op;
  *accept->mutable_filters() = filters;
  return send(std::move(call));
}

absl::Status SchedulerSession::launch(const std::string& offer_id,
                                      const std::vector<v1::TaskInfo>& tasks,
                                      const v1::Filters& filters) {
  v1::Call::Operation op;
  op.set_type(v1::Call::Operation::LAUNCH);
  for (const v1::TaskInfo& task : tasks) *op.mutable_launch()->add_task_infos() = task;
  return accept({offer_id}, {op}, filters);
}

absl::Status SchedulerSession::decline(const std::vector<std::string>& offer_ids,
                                       double refuse_seconds) {
  v1::Call call;
  call.set_type(v1::Call::DECLINE);
  for (const std::string& id : offer_ids) call.mutable_decline()->add_offer_ids(id);
  call.mutable_decline()->mutable_filters()->set_refuse_seconds(refuse_seconds);
  return send(std::move(call));
}

absl::Status SchedulerSession::revive(const std::vector<std::string>& roles) {
  v1::Call call;
  call.set_type(v1::Call::REVIVE);
  for (const std::string& role : roles) call.mutable_revive()->add_roles(role);
  return send(std::move(call));
}

absl::Status SchedulerSession::suppress(const std::vector<std::string>& roles) {
  v1::Call call;
  call.set_type(v1::Call::SUPPRESS);
  for (const std::string& role : roles) call.mutable_suppress()->add_roles(role);
  return send(std::move(call));
}

absl::Status SchedulerSession::kill(const std::string& task_id, const std::string& agent_id,
                                    double grace_seconds) {
  v1::Call call;
  call.set_type(v1::Call::KILL);
  call.mutable_kill()->set_task_id(task_id);
  call.mutable_kill()->set_agent_id(agent_id);
  if (grace_seconds >= 0) {
    call.mutable_kill()->mutable_kill_policy()->set_grace_period_seconds(grace_seconds);
  }
  return send(std::move(call));
}

absl::Status SchedulerSession::acknowledge(const v1::TaskStatus& status) {
  v1::Call call;
  call.set_type(v1::Call::ACKNOWLEDGE);
  call.mutable_acknowledge()->set_agent_id(status.agent_id());
  call.mutable_acknowledge()->set_task_id(status.task_id());
  call.mutable_acknowledge()->set_uuid(status.uuid());
  return send(std::move(call));
}

absl::Status SchedulerSession::reconcile(const std::vector<v1::Call::Reconcile::Task>& tasks) {
  v1::Call call;
  call.set_type(v1::Call::RECONCILE);
  for (const auto& task : tasks) *call.mutable_reconcile()->add_tasks() = task;
  return send(std::move(call));
}

absl::Status SchedulerSession::teardown() {
  v1::Call call;
  call.set_type(v1::Call::TEARDOWN);
  {
    std::lock_guard lock(mu_);
    torn_down_ = true;
  }
  absl::Status status = send(std::move(call));
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    torn_down_ = false;
  }
  return status;
}

}  // namespace orch::client
