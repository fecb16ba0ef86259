// Follows one task's stdout or stderr from its agent on a background thread (AgentFilesClient
// readLog in follow mode) and delivers the text on the GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <thread>

#include "client/agent_files_client.h"
#include "client/client_config.h"
#include "cluster/cluster_credentials.h"

namespace orch::console {

class LogFollower : public QObject {
  Q_OBJECT

 public:
  explicit LogFollower(QObject* parent = nullptr);
  ~LogFollower() override;  // stop()

  // Starts following; an earlier follow is stopped first. Errors arrive as finished(error).
  void start(const std::shared_ptr<const ClusterCredentials>& credentials, const QString& agentEndpoint, const QString& taskId,
             client::LogStream stream);
  void stop();
  bool running() const { return thread_.joinable(); }

 signals:
  void textArrived(const QString& text);
  // The log ended (task over) or could not be read; `error` is empty when it simply ended.
  void finished(const QString& error);

 private:
  std::mutex mu_;
  std::shared_ptr<client::AgentFilesClient> files_;
  std::thread thread_;
};

}  // namespace orch::console
