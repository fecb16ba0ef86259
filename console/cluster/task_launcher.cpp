#include "cluster/task_launcher.h"

#include <QMetaObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QSysInfo>

#include <unistd.h>

#include "models/tasks_model.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

TaskLauncher::TaskLauncher(QObject* parent) : QObject(parent) {}

TaskLauncher::~TaskLauncher() {
  if (session_) session_->stop();
}

QString TaskLauncher::validate(const TaskRequest& request) {
  if (request.command.trimmed().isEmpty()) return tr("Enter the command to run.");
  if (request.cpus <= 0) return tr("CPUs must be more than 0.");
  if (request.mem <= 0) return tr("Memory must be more than 0 MB.");
  if (request.disk < 0) return tr("Disk cannot be negative.");
  if (request.role.trimmed().isEmpty()) return tr("Enter a role, or * for any.");
  return {};
}

void TaskLauncher::post(std::function<void(TaskLauncher&)> fn) {
  QPointer<TaskLauncher> self(this);
  QMetaObject::invokeMethod(
      this, [self, fn = std::move(fn)] { if (self) fn(*self); }, Qt::QueuedConnection);
}

QString TaskLauncher::start(const std::shared_ptr<const ClusterCredentials>& credentials, const TaskRequest& request) {
  request_ = request;
  resources_.cpus = request.cpus;
  resources_.mem = request.mem;
  resources_.disk = request.disk;
  resources_.role = request.role.toStdString();
  taskId_ = QString::fromStdString(ctl::makeRunTaskId(QRandomGenerator::global()->generate()));
  const QString invalid = validate(request);
  if (!invalid.isEmpty()) {
    post([invalid](TaskLauncher& l) { emit l.failed(invalid); });
    return taskId_;
  }
  if (!credentials) {
    post([](TaskLauncher& l) { emit l.failed(tr("Not connected to a cluster.")); });
    return taskId_;
  }
  auto channels = credentials->masterChannels();
  if (!channels.ok()) {
    const QString why = QString::fromStdString(std::string(channels.status().message()));
    post([why](TaskLauncher& l) { emit l.failed(why); });
    return taskId_;
  }
  client::SchedulerEventHandler& handler = *this;  // a private base: convert here, not in make_unique
  session_ = std::make_unique<client::SchedulerSession>(*std::move(channels), handler, client::SchedulerSession::Options{});
  v1::FrameworkInfo info;
  info.set_name("orch-console-run");
  info.set_user(qEnvironmentVariable("USER", QStringLiteral("root")).toStdString());
  info.set_hostname(QSysInfo::machineHostName().toStdString());
  info.set_failover_timeout(0);
  info.add_roles(resources_.role);
  if (absl::Status s = session_->subscribe(info); !s.ok()) {
    const QString why = QString::fromStdString(std::string(s.message()));
    post([why](TaskLauncher& l) { emit l.failed(why); });
  }
  return taskId_;
}

void TaskLauncher::onSubscribed(const v1::Event::Subscribed& subscribed) {
  const QString fw = QString::fromStdString(subscribed.framework_id());
  post([fw](TaskLauncher& l) { emit l.progress(tr("Subscribed as framework %1; waiting for an offer.").arg(fw)); });
}

void TaskLauncher::onOffers(const std::vector<v1::Offer>& offers) {
  std::vector<std::string> unused;
  for (const v1::Offer& offer : offers) {
    {
      std::lock_guard lock(mu_);
      if (launchedTask_ || done_) {
        unused.push_back(offer.offer_id());
        continue;
      }
    }
    auto picked = ctl::pickResources(offer, resources_);
    if (!picked.ok()) {
      unused.push_back(offer.offer_id());
      std::lock_guard lock(mu_);
      if (!reportedMisfit_) {
        reportedMisfit_ = true;
        const QString why = QString::fromStdString(std::string(picked.status().message()));
        post([why](TaskLauncher& l) { emit l.progress(tr("Waiting: %1").arg(why)); });
      }
      continue;
    }
    v1::TaskInfo task;
    task.set_name((request_.name.isEmpty() ? QStringLiteral("console-run") : request_.name).toStdString());
    task.set_task_id(taskId_.toStdString());
    task.set_agent_id(offer.agent_id());
    for (const v1::Resource& r : *picked) *task.add_resources() = r;
    task.mutable_command()->set_shell(true);
    task.mutable_command()->set_value(request_.command.toStdString());
    task.mutable_container()->set_type(v1::ContainerInfo::MESOS);
    const absl::Status s = session_->launch(offer.offer_id(), {task});
    if (!s.ok()) {
      const QString why = QString::fromStdString(std::string(s.message()));
      post([why](TaskLauncher& l) { emit l.failed(tr("The master refused the launch: %1").arg(why)); });
      std::lock_guard lock(mu_);
      done_ = true;
      continue;
    }
    {
      std::lock_guard lock(mu_);
      launchedTask_ = true;
    }
    (void)session_->suppress();
    const QString agent = QString::fromStdString(offer.agent_id());
    post([agent](TaskLauncher& l) { emit l.launched(l.taskId_, agent); });
  }
  if (!unused.empty()) (void)session_->decline(unused, launchedTask_ ? 3600.0 : 1.0);
}

void TaskLauncher::onRescind(const std::string& /*offer_id*/) {}

void TaskLauncher::onUpdate(const v1::TaskStatus& status) {
  if (QString::fromStdString(status.task_id()) != taskId_) return;
  const QString state = TasksModel::stateName(status.state());
  const QString message = QString::fromStdString(status.message());
  const bool terminal = TasksModel::isTerminal(status.state());
  post([state, message, terminal](TaskLauncher& l) {
    emit l.taskStateChanged(l.taskId_, state, message);
    if (terminal) {
      {
        std::lock_guard lock(l.mu_);
        l.done_ = true;
      }
      // The task is over: end the one-shot framework on a worker-free path (the GUI thread).
      (void)l.session_->teardown();
      emit l.finished(l.taskId_, state);
    }
  });
}

void TaskLauncher::onError(const std::string& message) {
  const QString why = QString::fromStdString(message);
  post([why](TaskLauncher& l) { emit l.failed(tr("The master reported an error: %1").arg(why)); });
}

void TaskLauncher::onDisconnected(const absl::Status& status) {
  if (status.ok()) return;
  std::lock_guard lock(mu_);
  if (done_) return;
  const QString why = QString::fromStdString(std::string(status.message()));
  post([why](TaskLauncher& l) { emit l.failed(tr("Lost the connection to the master: %1").arg(why)); });
}

}  // namespace orch::console
