// The Operator Subscribe stream on its own thread, reconnecting with backoff when it breaks.
//
// After every (re)connection the master's first event is SUBSCRIBED carrying the full state, so a
// consumer rebuilds its view from it and then applies the deltas that follow.
// Callbacks run on the stream's thread; they must not call stop() or destroy the stream.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "client/backoff.h"
#include "client/master_channels.h"
#include "orchestrator/v1/operator.grpc.pb.h"

namespace orch::client {

enum class ConnectionState {
  kConnecting,    // opening the stream to `master`
  kConnected,     // the first event arrived
  kDisconnected,  // the stream ended (`status` says why); a reconnect follows unless stopped
};

// "connecting", "connected", "disconnected".
const char* connectionStateName(ConnectionState state);

using OperatorEventCallback = std::function<void(const orchestrator::v1::OperatorEvent&)>;
using ConnectionStateCallback =
    std::function<void(ConnectionState state, const absl::Status& status, const std::string& master)>;

class OperatorEventStream {
 public:
  OperatorEventStream(std::shared_ptr<MasterChannels> masters, OperatorEventCallback on_event,
                      ConnectionStateCallback on_state, BackoffPolicy backoff = {});
  ~OperatorEventStream();
  OperatorEventStream(const OperatorEventStream&) = delete;
  OperatorEventStream& operator=(const OperatorEventStream&) = delete;

  // Starts the thread (once).
  void start();
  // Cancels the stream and joins the thread. Idempotent.
  void stop();
  bool connected() const { return connected_.load(); }

 private:
  void run();
  void setState(ConnectionState state, const absl::Status& status, const std::string& master);
  // Sleeps up to `delay` unless stop() is called; false when stopping.
  bool waitBeforeRetry(std::chrono::milliseconds delay);

  std::shared_ptr<MasterChannels> masters_;
  OperatorEventCallback on_event_;
  ConnectionStateCallback on_state_;
  Backoff backoff_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  grpc::ClientContext* active_ = nullptr;  // the live stream's context, guarded by mu_
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace orch::client
