// What a framework implements to hear from the master. Called on the session's reader thread,
// one event at a time; a handler may call SchedulerSession methods from inside.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "orchestrator/v1/scheduler.pb.h"

namespace orch::client {

class SchedulerEventHandler {
 public:
  virtual ~SchedulerEventHandler() = default;

  // The master accepted the subscription; framework_id is now set on the session.
  virtual void onSubscribed(const orchestrator::v1::Event::Subscribed& subscribed) = 0;
  // New offers; accept, launch or decline them.
  virtual void onOffers(const std::vector<orchestrator::v1::Offer>& offers) = 0;
  // An offer is no longer valid.
  virtual void onRescind(const std::string& offer_id) = 0;
  // A task status update. Acknowledged after this returns when the session auto-acknowledges.
  virtual void onUpdate(const orchestrator::v1::TaskStatus& status) = 0;
  // The master reported an error (e.g. the subscription was refused); the stream ends next.
  virtual void onError(const std::string& message) = 0;
  // The stream of a subscribed session broke (`why`); the session is resubscribing, and
  // onSubscribed follows when it succeeds. Offers received before are no longer valid. Optional.
  virtual void onReconnecting(const absl::Status& /*why*/) {}
  // The event stream ended for good; `status` says why (OK when stop() or teardown() ended it).
  virtual void onDisconnected(const absl::Status& status) = 0;
  // An agent or executor failure the master reports; optional.
  virtual void onFailure(const orchestrator::v1::Event::Failure& /*failure*/) {}
  // Heartbeat from the master; optional.
  virtual void onHeartbeat() {}
};

}  // namespace orch::client
