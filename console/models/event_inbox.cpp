#include "models/event_inbox.h"

#include <QMetaObject>

namespace orch::console {

EventInbox::EventInbox(QObject* parent) : QObject(parent) {}

void EventInbox::push(orchestrator::v1::OperatorEvent event) {
  bool post = false;
  {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    if (!posted_) {
      posted_ = true;
      post = true;
    }
  }
  if (post) QMetaObject::invokeMethod(this, &EventInbox::ready, Qt::QueuedConnection);
}

std::vector<orchestrator::v1::OperatorEvent> EventInbox::take() {
  std::lock_guard lock(mu_);
  posted_ = false;
  std::vector<orchestrator::v1::OperatorEvent> out;
  out.swap(events_);
  return out;
}

size_t EventInbox::pending() const {
  std::lock_guard lock(mu_);
  return events_.size();
}

}  // namespace orch::console
