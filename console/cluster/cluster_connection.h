// The console's link to one cluster: an OperatorClient for actions and the operator event stream
// (its own thread, reconnecting with backoff) whose events land in an EventInbox and are applied
// to ClusterModels on the GUI thread. Actions run on a worker thread; their results come back on
// the GUI thread as a Status the caller shows where the user acted.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "client/client_config.h"
#include "client/operator_client.h"
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

  // Opens the event stream to the configured masters; an error when the TLS files cannot be read.
  absl::Status connectTo(const client::ClientConfig& config);
  void disconnectFromCluster();

  State state() const { return state_; }
  QString master() const { return master_; }
  // Why the last connection attempt ended, in words ("" while connected).
  QString lastError() const { return lastError_; }
  const client::ClientConfig& config() const { return config_; }
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
  std::shared_ptr<client::OperatorClient> client_;
  std::unique_ptr<client::OperatorEventStream> stream_;
  State state_ = State::kDisconnected;
  QString master_;
  QString lastError_;
};

}  // namespace orch::console
