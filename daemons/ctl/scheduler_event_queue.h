// A SchedulerEventHandler that hands events to another thread through a queue, so `orchctl run`
// can drive its whole flow (and Ctrl-C) from the main thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/scheduler_event_handler.h"

namespace orch::ctl {

struct QueuedSchedulerEvent {
  enum class Kind { kSubscribed, kOffers, kRescind, kUpdate, kError, kDisconnected };
  Kind kind = Kind::kError;
  orchestrator::v1::Event::Subscribed subscribed;
  std::vector<orchestrator::v1::Offer> offers;
  std::string offer_id;                  // kRescind
  orchestrator::v1::TaskStatus status;   // kUpdate
  std::string message;                   // kError
  absl::Status disconnect_status;        // kDisconnected
};

class SchedulerEventQueue : public client::SchedulerEventHandler {
 public:
  void onSubscribed(const orchestrator::v1::Event::Subscribed& subscribed) override;
  void onOffers(const std::vector<orchestrator::v1::Offer>& offers) override;
  void onRescind(const std::string& offer_id) override;
  void onUpdate(const orchestrator::v1::TaskStatus& status) override;
  void onError(const std::string& message) override;
  void onDisconnected(const absl::Status& status) override;

  // The next event, or nullopt after `timeout` without one.
  std::optional<QueuedSchedulerEvent> pop(std::chrono::milliseconds timeout);

 private:
  void push(QueuedSchedulerEvent event);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<QueuedSchedulerEvent> events_;
};

}  // namespace orch::ctl
