#include "ctl/scheduler_event_queue.h"

namespace orch::ctl {

using Kind = QueuedSchedulerEvent::Kind;

void SchedulerEventQueue::push(QueuedSchedulerEvent event) {
  {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  cv_.notify_one();
}

void SchedulerEventQueue::onSubscribed(const orchestrator::v1::Event::Subscribed& subscribed) {
  QueuedSchedulerEvent e;
  e.kind = Kind::kSubscribed;
  e.subscribed = subscribed;
  push(std::move(e));
}

void SchedulerEventQueue::onOffers(const std::vector<orchestrator::v1::Offer>& offers) {
  QueuedSchedulerEvent e;
  e.kind = Kind::kOffers;
  e.offers = offers;
  push(std::move(e));
}

void SchedulerEventQueue::onRescind(const std::string& offer_id) {
  QueuedSchedulerEvent e;
  e.kind = Kind::kRescind;
  e.offer_id = offer_id;
  push(std::move(e));
}

void SchedulerEventQueue::onUpdate(const orchestrator::v1::TaskStatus& status) {
  QueuedSchedulerEvent e;
  e.kind = Kind::kUpdate;
  e.status = status;
  push(std::move(e));
}

void SchedulerEventQueue::onError(const std::string& message) {
  QueuedSchedulerEvent e;
  e.kind = Kind::kError;
  e.message = message;
  push(std::move(e));
}

void SchedulerEventQueue::onDisconnected(const absl::Status& status) {
  QueuedSchedulerEvent e;
  e.kind = Kind::kDisconnected;
  e.disconnect_status = status;
  push(std::move(e));
}

std::optional<QueuedSchedulerEvent> SchedulerEventQueue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [this] { return !events_.empty(); })) return std::nullopt;
  QueuedSchedulerEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

}  // namespace orch::ctl
