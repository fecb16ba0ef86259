// The Run Task dialog's launch, done as `orchctl run` does it: a one-shot framework subscribes,
// takes the first offer that fits, launches one task, suppresses offers and follows the task to
// its end (then tears itself down). Scheduler events arrive on the session's reader thread;
// the signals are delivered on the GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <mutex>

#include "client/client_config.h"
#include "cluster/cluster_credentials.h"
#include "client/scheduler_event_handler.h"
#include "client/scheduler_session.h"
#include "ctl/run_task_builder.h"

namespace orch::console {

struct TaskRequest {
  QString name;
  QString command;  // run by /bin/sh -c
  double cpus = 0.1;
  double mem = 32;  // MB
  double disk = 0;  // MB
  QString role = QStringLiteral("*");
};

class TaskLauncher : public QObject, private client::SchedulerEventHandler {
  Q_OBJECT

 public:
  explicit TaskLauncher(QObject* parent = nullptr);
  ~TaskLauncher() override;

  // Subscribes and launches; progress and the outcome arrive as signals. The task id is
  // chosen now ("run-xxxxxxxx") and returned.
  QString start(const std::shared_ptr<const ClusterCredentials>& credentials, const TaskRequest& request);
  QString taskId() const { return taskId_; }

  // Checks a request before it is sent; "" when fine, otherwise what is wrong, in words.
  static QString validate(const TaskRequest& request);

 signals:
  void progress(const QString& message);
  void launched(const QString& taskId, const QString& agentId);
  void taskStateChanged(const QString& taskId, const QString& state, const QString& message);
  // The launch could not be made (no fitting offer in time, refused by the master, ...).
  void failed(const QString& message);
  // The task reached a terminal state and the framework was torn down.
  void finished(const QString& taskId, const QString& state);

 private:
  void onSubscribed(const orchestrator::v1::Event::Subscribed& subscribed) override;
  void onOffers(const std::vector<orchestrator::v1::Offer>& offers) override;
  void onRescind(const std::string& offer_id) override;
  void onUpdate(const orchestrator::v1::TaskStatus& status) override;
  void onError(const std::string& message) override;
  void onDisconnected(const absl::Status& status) override;

  void post(std::function<void(TaskLauncher&)> fn);

  TaskRequest request_;
  ctl::ResourceRequest resources_;
  QString taskId_;
  std::unique_ptr<client::SchedulerSession> session_;
  std::mutex mu_;
  bool launchedTask_ = false;
  bool done_ = false;
  bool reportedMisfit_ = false;
};

}  // namespace orch::console
