// Hands operator events from the stream's thread to the GUI thread in batches: push() from any
// thread; the first push into an empty inbox posts one queued call to `ready`, and the GUI thread
// takes everything that arrived meanwhile with take(). Bursts therefore cost one wake-up each.
#pragma once

#include <QObject>

#include <mutex>
#include <vector>

#include "orchestrator/v1/operator.pb.h"

namespace orch::console {

class EventInbox : public QObject {
  Q_OBJECT

 public:
  explicit EventInbox(QObject* parent = nullptr);

  // Thread-safe.
  void push(orchestrator::v1::OperatorEvent event);
  // GUI thread: everything pushed since the last take, in order.
  std::vector<orchestrator::v1::OperatorEvent> take();
  // Events waiting (for tests and the benchmark).
  size_t pending() const;

 signals:
  // Emitted on this object's thread (queued) when events are waiting.
  void ready();

 private:
  mutable std::mutex mu_;
  std::vector<orchestrator::v1::OperatorEvent> events_;
  bool posted_ = false;
};

}  // namespace orch::console
