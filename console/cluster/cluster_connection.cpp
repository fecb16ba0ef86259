#include "cluster/cluster_connection.h"

#include <QMetaObject>
#include <QThreadPool>

#include "absl/strings/str_cat.h"
#include "client/zk_master_resolver.h"

namespace orch::console {

ClusterConnection::ClusterConnection(ClusterModels& models, QObject* parent)
    : QObject(parent), models_(models), inbox_(this) {
  connect(&inbox_, &EventInbox::ready, this, &ClusterConnection::drainInbox);
}

ClusterConnection::~ClusterConnection() { disconnectFromCluster(); }

QString ClusterConnection::stateText(State state) {
  switch (state) {
    case State::kDisconnected: return tr("Disconnected");
    case State::kConnecting: return tr("Connecting");
    case State::kConnected: return tr("Connected");
  }
  return {};
}

absl::Status ClusterConnection::connectTo(const client::ClientConfig& config) {
  auto credentials = ClusterCredentials::load(config);
  if (!credentials.ok()) {
    disconnectFromCluster();
    return absl::Status(credentials.status().code(),
                        absl::StrCat("cannot load TLS files: ", credentials.status().message()));
  }
  return connectWith(*std::move(credentials));
}

absl::Status ClusterConnection::connectWith(std::shared_ptr<const ClusterCredentials> credentials,
                                            std::chrono::milliseconds zkTimeout) {
  disconnectFromCluster();
  if (!credentials) return absl::InvalidArgumentError("no credentials");
  auto channels = credentials->masterChannels(zkTimeout);
  if (!channels.ok()) return channels.status();
  config_ = credentials->config();
  credentials_ = std::move(credentials);
  resolvedMasters_.clear();
  zooKeeperUrl_.clear();
  if (credentials_->usesZooKeeper()) {
    for (const std::string& m : config_.masters) {
      if (client::isZkMasterUrl(m)) zooKeeperUrl_ = QString::fromStdString(m);
    }
    for (const client::MasterChannels::Endpoint& e : (*channels)->inPreferenceOrder()) {
      resolvedMasters_ << QString::fromStdString(e.address);
    }
  }
  client_ = std::make_shared<client::OperatorClient>(*std::move(channels), client::OperatorClient::Options{});
  QPointer<ClusterConnection> self(this);
  client::BackoffPolicy backoff;
  backoff.initial = std::chrono::milliseconds(250);
  backoff.max = std::chrono::milliseconds(5000);
  stream_ = client_->subscribe(
      [this](const orchestrator::v1::OperatorEvent& event) { inbox_.push(event); },
      [self](client::ConnectionState state, const absl::Status& status, const std::string& master) {
        const QString error = QString::fromStdString(std::string(status.message()));
        const QString where = QString::fromStdString(master);
        QMetaObject::invokeMethod(
            self.data(),
            [self, state, error, where] {
              if (!self) return;
              self->onStreamState(state, error.isEmpty() ? absl::OkStatus() : absl::UnavailableError(error.toStdString()),
                                  where.toStdString());
            },
            Qt::QueuedConnection);
      },
      backoff);
  return absl::OkStatus();
}

void ClusterConnection::disconnectFromCluster() {
  if (stream_) stream_->stop();
  stream_.reset();
  client_.reset();
  if (state_ != State::kDisconnected) {
    state_ = State::kDisconnected;
    emit stateChanged(state_, master_, lastError_);
  }
}

void ClusterConnection::onStreamState(client::ConnectionState state, const absl::Status& status,
                                      const std::string& master) {
  if (!stream_) return;  // a late report from a stream already stopped
  master_ = QString::fromStdString(master);
  switch (state) {
    case client::ConnectionState::kConnecting: state_ = State::kConnecting; break;
    case client::ConnectionState::kConnected:
      state_ = State::kConnected;
      lastError_.clear();
      break;
    case client::ConnectionState::kDisconnected:
      state_ = State::kDisconnected;
      lastError_ = QString::fromStdString(std::string(status.message()));
      break;
  }
  emit stateChanged(state_, master_, lastError_);
}

void ClusterConnection::drainInbox() { models_.applyBatch(inbox_.take()); }

void ClusterConnection::runAction(std::function<absl::Status(client::OperatorClient&)> action,
                                  std::function<void(absl::Status)> done) {
  if (!client_) {
    if (done) done(absl::FailedPreconditionError(tr("Not connected to a cluster.").toStdString()));
    return;
  }
  std::shared_ptr<client::OperatorClient> client = client_;
  QPointer<ClusterConnection> self(this);
  QThreadPool::globalInstance()->start([client, action = std::move(action), done = std::move(done), self] {
    absl::Status status = action(*client);
    QMetaObject::invokeMethod(
        self.data(),
        [self, status, done] {
          if (self && done) done(status);
        },
        Qt::QueuedConnection);
  });
}

void ClusterConnection::drainAgent(const QString& agentId, std::function<void(absl::Status)> done) {
  const std::string id = agentId.toStdString();
  runAction(
      [id](client::OperatorClient& c) {
        orchestrator::v1::DrainAgentRequest request;
        request.set_agent_id(id);
        return c.drainAgent(request);
      },
      std::move(done));
}

void ClusterConnection::reactivateAgent(const QString& agentId, std::function<void(absl::Status)> done) {
  const std::string id = agentId.toStdString();
  runAction([id](client::OperatorClient& c) { return c.reactivateAgent(id); }, std::move(done));
}

void ClusterConnection::killTask(const QString& taskId, std::function<void(absl::Status)> done) {
  const std::string id = taskId.toStdString();
  runAction(
      [id](client::OperatorClient& c) {
        orchestrator::v1::KillTaskRequest request;
        request.set_task_id(id);
        return c.killTask(request);
      },
      std::move(done));
}

}  // namespace orch::console
