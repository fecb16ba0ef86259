// The console's link to one cluster: an OperatorClient for actions and the operator event stream
// (its own thread, reconnecting with backoff) whose events land in an EventInbox and are applied
// to ClusterModels on the GUI thread. Actions run on a worker thread; their results come back on
// the GUI thread as a Status the caller shows where the user acted.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <chrono>

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "client/client_config.h"
#include "client/operator_client.h"
#include "cluster/cluster_credentials.h"
#include "models/cluster_models.h"
#include "models/event_inbox.h"

namespace orch::console {

class ClusterConnection : public QObject {
  Q_OBJECT

 public:
  enum class State { kDisconnected, kConnecting, kConnected };
  Q_ENUM(State)

  explicit ClusterConnection(ClusterModels& models, QObject* parent = nullptr);
  ~ClusterConnection() override;

  // Opens the event stream to the configured masters; an error when the TLS files cannot be read
  // (an encrypted key needs connectWith and its passphrase) or a zk:// URL cannot be resolved.
  absl::Status connectTo(const client::ClientConfig& config);
  // Same with credentials already loaded (a decrypted key). zk:// masters are resolved here,
  // blocking up to `zkTimeout`: every registered master, the leader first.
  absl::Status connectWith(std::shared_ptr<const ClusterCredentials> credentials,
                           std::chrono::milliseconds zkTimeout = std::chrono::seconds(5));
  void disconnectFromCluster();

  State state() const { return state_; }
  QString master() const { return master_; }
  // Why the last connection attempt ended, in words ("" while connected).
  QString lastError() const { return lastError_; }
  const client::ClientConfig& config() const { return config_; }
  // The last connection's TLS credentials (nullptr before the first); clients the console
  // opens for this cluster (Run Task, task logs) use them.
  std::shared_ptr<const ClusterCredentials> credentials() const { return credentials_; }
  // The masters found through ZooKeeper at connect time, leader first (empty for a plain list).
  QStringList resolvedMasters() const { return resolvedMasters_; }
  // "zk://..." when the masters were found through ZooKeeper, else "".
  QString zooKeeperUrl() const { return zooKeeperUrl_; }
  bool isOpen() const { return client_ != nullptr; }

  // Actions; `done` runs on the GUI thread (not at all when this object is gone).
  void drainAgent(const QString& agentId, std::function<void(absl::Status)> done);
  void reactivateAgent(const QString& agentId, std::function<void(absl::Status)> done);
  void killTask(const QString& taskId, std::function<void(absl::Status)> done);

  // The state in words for the status bar, translated.
  static QString stateText(State state);

 signals:
  void stateChanged(orch::console::ClusterConnection::State state, const QString& master, const QString& error);

 private:
  void runAction(std::function<absl::Status(client::OperatorClient&)> action,
                 std::function<void(absl::Status)> done);
  void drainInbox();
  void onStreamState(client::ConnectionState state, const absl::Status& status, const std::string& master);

  ClusterModels& models_;
  EventInbox inbox_;
  client::ClientConfig config_;
  std::shared_ptr<const ClusterCredentials> credentials_;
  QStringList resolvedMasters_;
  QString zooKeeperUrl_;
  std::shared_ptr<client::OperatorClient> client_;
  std::unique_ptr<client::OperatorEventStream> stream_;
  State state_ = State::kDisconnected;
  QString master_;
  QString lastError_;
};

}  // namespace orch::console
