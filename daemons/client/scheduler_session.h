// A framework driver over the Scheduler service: subscribe() opens the event stream on a reader
// thread that delivers events to a SchedulerEventHandler; the call methods send Call RPCs with
// the framework_id filled in. Thread-safe: calls may come from any thread, including the
// handler's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/client_config.h"
#include "client/master_channels.h"
#include "client/scheduler_event_handler.h"
#include "orchestrator/v1/scheduler.grpc.pb.h"

namespace orch::client {

class SchedulerSession {
 public:
  struct Options {
    // ACKNOWLEDGE updates that carry a uuid after the handler's onUpdate returns (from a
    // thread of the session's own, several per call when they arrive in a burst).
    bool auto_acknowledge = true;
    // Deadline of each Call RPC.
    std::chrono::milliseconds call_timeout{10'000};
    // After a subscribed stream breaks (the leader died, a failover), keep resubscribing with
    // the same framework_id — to whichever master leads — for this long before giving up with
    // onDisconnected. Zero: give up at once. The first subscription is never retried.
    std::chrono::milliseconds resubscribe_for{60'000};
  };

  // Loads the TLS files and prepares channels (no connection yet). `handler` must outlive
  // the session.
  static absl::StatusOr<std::unique_ptr<SchedulerSession>> create(const ClientConfig& config,
                                                                  SchedulerEventHandler& handler,
                                                                  Options options);
  static absl::StatusOr<std::unique_ptr<SchedulerSession>> create(const ClientConfig& config,
                                                                  SchedulerEventHandler& handler);
  SchedulerSession(std::shared_ptr<MasterChannels> masters, SchedulerEventHandler& handler,
                   Options options);
  // Stops the reader thread (the framework stays registered until its failover timeout;
  // call teardown() first to end it).
  ~SchedulerSession();
  SchedulerSession(const SchedulerSession&) = delete;
  SchedulerSession& operator=(const SchedulerSession&) = delete;

  // Starts the reader thread, which opens the Subscribe stream with `info` and delivers events.
  // FailedPrecondition if already subscribed. A lost stream is announced with onReconnecting
  // and resubscribed (onSubscribed again) as Options::resubscribe_for allows; giving up
  // arrives as onDisconnected.
  absl::Status subscribe(const orchestrator::v1::FrameworkInfo& info);
  // Closes the stream and joins the reader thread. Idempotent; not from the handler.
  void stop();

  // The id the master assigned ("" before SUBSCRIBED).
  std::string frameworkId() const;
  // The master that the session talks to.
  std::string masterAddress() const;

  absl::Status accept(const std::vector<std::string>& offer_ids,
                      const std::vector<orchestrator::v1::Call::Operation>& operations,
                      const orchestrator::v1::Filters& filters = {});
  // ACCEPT of one offer with a single LAUNCH operation.
  absl::Status launch(const std::string& offer_id,
                      const std::vector<orchestrator::v1::TaskInfo>& tasks,
                      const orchestrator::v1::Filters& filters = {});
  absl::Status decline(const std::vector<std::string>& offer_ids, double refuse_seconds = 5.0);
  absl::Status revive(const std::vector<std::string>& roles = {});
  absl::Status suppress(const std::vector<std::string>& roles = {});
  // grace_seconds < 0: the task's own kill policy.
  absl::Status kill(const std::string& task_id, const std::string& agent_id,
                    double grace_seconds = -1.0);
  absl::Status acknowledge(const orchestrator::v1::TaskStatus& status);
  // Empty `tasks` = implicit reconciliation of every task of the framework.
  absl::Status reconcile(const std::vector<orchestrator::v1::Call::Reconcile::Task>& tasks = {});
  // Ends the framework: the master kills its tasks and forgets it. The stream then closes.
  absl::Status teardown();

  // Sends any call; framework_id is filled in. FailedPrecondition before SUBSCRIBED.
  absl::Status send(orchestrator::v1::Call call);

 private:
  void readLoop(orchestrator::v1::FrameworkInfo info);
  struct Attempt {
    absl::Status status;
    bool got_any = false;
    bool stopped = false;
  };
  // One pass over the masters in preference order until one serves the stream.
  Attempt subscribeOnce(const orchestrator::v1::SubscribeRequest& request);
  void dispatch(const orchestrator::v1::Event& event);
  void ackLoop();

  std::shared_ptr<MasterChannels> masters_;
  SchedulerEventHandler& handler_;
  Options options_;

  mutable std::mutex mu_;
  std::string framework_id_;
  std::string master_address_;
  std::shared_ptr<grpc::Channel> channel_;  // the channel of the subscribed master
  grpc::ClientContext* stream_context_ = nullptr;
  bool started_ = false;
  bool stopping_ = false;
  bool torn_down_ = false;  // teardown() sent: the stream's end is expected
  std::thread reader_;
  std::thread acker_;                                        // auto_acknowledge only
  std::deque<orchestrator::v1::Call::Acknowledge> acks_;     // waiting for the acker
  std::condition_variable stop_cv_;  // stop, and acknowledgements to send
};

}  // namespace orch::client
