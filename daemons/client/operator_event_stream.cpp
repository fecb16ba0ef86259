#include "client/operator_event_stream.h"

#include "client/rpc_status.h"

namespace orch::client {

namespace v1 = orchestrator::v1;

const char* connectionStateName(ConnectionState state) {
  switch (state) {
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kDisconnected:
      return "disconnected";
  }
  return "unknown";
}

OperatorEventStream::OperatorEventStream(std::shared_ptr<MasterChannels> masters,
                                         OperatorEventCallback on_event,
                                         ConnectionStateCallback on_state, BackoffPolicy backoff)
    : masters_(std::move(masters)),
      on_event_(std::move(on_event)),
      on_state_(std::move(on_state)),
      backoff_(backoff) {}

OperatorEventStream::~OperatorEventStream() { stop(); }

void OperatorEventStream::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void OperatorEventStream::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void OperatorEventStream::setState(ConnectionState state, const absl::Status& status,
                                   const std::string& master) {
  connected_.store(state == ConnectionState::kConnected);
  if (on_state_) on_state_(state, status, master);
}

bool OperatorEventStream::waitBeforeRetry(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, delay, [this] { return stopping_; });
  return !stopping_;
}

void OperatorEventStream::run() {
  size_t attempt = 0;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const auto order = masters_->inPreferenceOrder();
    if (order.empty()) {
      setState(ConnectionState::kDisconnected, absl::FailedPreconditionError("no master configured"), "");
      return;
    }
    // Rotate through the masters on consecutive failures.
    const MasterChannels::Endpoint endpoint = order[attempt % order.size()];
    setState(ConnectionState::kConnecting, absl::OkStatus(), endpoint.address);

    grpc::ClientContext context;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      active_ = &context;
    }
    auto stub = v1::Operator::NewStub(endpoint.channel);
    auto reader = stub->Subscribe(&context, v1::SubscribeEventsRequest());
    v1::OperatorEvent event;
    bool got_any = false;
    while (reader->Read(&event)) {
      if (!got_any) {
        got_any = true;
        backoff_.reset();
        attempt = 0;
        masters_->prefer(endpoint.address);
        setState(ConnectionState::kConnected, absl::OkStatus(), endpoint.address);
      }
      if (on_event_) on_event_(event);
    }
    const grpc::Status finish = reader->Finish();
    {
      std::lock_guard lock(mu_);
      active_ = nullptr;
      if (stopping_) {
        connected_.store(false);
        return;
      }
    }
    absl::Status why = finish.ok() ? absl::UnavailableError("the master closed the event stream")
                                   : fromGrpcStatus(finish, masterLabel(endpoint.address));
    setState(ConnectionState::kDisconnected, why, endpoint.address);
    if (!got_any) {
      ++attempt;
      // A channel whose connection attempts keep failing can stay stuck in its own backoff;
      // start the next attempt on a fresh one.
      masters_->renew(endpoint.address);
    }
    if (!waitBeforeRetry(backoff_.next())) return;
  }
}

}  // namespace orch::client
