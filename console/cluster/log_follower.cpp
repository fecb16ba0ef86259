#include "cluster/log_follower.h"

#include <QMetaObject>
#include <QPointer>

namespace orch::console {

LogFollower::LogFollower(QObject* parent) : QObject(parent) {}

LogFollower::~LogFollower() { stop(); }

void LogFollower::start(const std::shared_ptr<const ClusterCredentials>& credentials, const QString& agentEndpoint, const QString& taskId,
                        client::LogStream stream) {
  stop();
  if (agentEndpoint.isEmpty()) {
    emit finished(tr("Task %1 has not reached an agent yet, so it has no log.").arg(taskId));
    return;
  }
  if (!credentials) {
    emit finished(tr("Cannot read the log: not connected to a cluster."));
    return;
  }
  auto client = std::make_shared<client::AgentFilesClient>(credentials->channelCredentials());
  {
    std::lock_guard lock(mu_);
    files_ = client;
  }
  QPointer<LogFollower> self(this);
  const std::string endpoint = agentEndpoint.toStdString();
  const std::string task = taskId.toStdString();
  thread_ = std::thread([client, endpoint, task, stream, self] {
    const absl::Status status =
        client->readLog(endpoint, task, stream, /*follow=*/true, [self](const orchestrator::v1::LogChunk& chunk) {
          if (!chunk.data().empty()) {
            const QString text = QString::fromUtf8(chunk.data().data(), static_cast<qsizetype>(chunk.data().size()));
            QMetaObject::invokeMethod(
                self.data(), [self, text] { if (self) emit self->textArrived(text); }, Qt::QueuedConnection);
          }
          return true;
        });
    const QString error = status.ok() ? QString() : QString::fromStdString(std::string(status.message()));
    QMetaObject::invokeMethod(
        self.data(), [self, error] { if (self) emit self->finished(error); }, Qt::QueuedConnection);
  });
}

void LogFollower::stop() {
  std::shared_ptr<client::AgentFilesClient> client;
  {
    std::lock_guard lock(mu_);
    client = files_;
  }
  if (client) client->cancel();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  files_.reset();
}

}  // namespace orch::console
