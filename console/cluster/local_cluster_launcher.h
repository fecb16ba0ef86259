// "Start a local cluster" for a first run: makes a cluster CA and master/agent/operator
// certificates under <data dir>/certs (once), then starts orch-master and one orch-agent found
// beside the console's own binary as child processes on loopback. stop() (and the destructor,
// unless setKeepRunning(true)) ends them: SIGTERM, then SIGKILL after a grace period.
#pragma once

#include <QObject>
#include <QString>

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "client/client_config.h"

namespace orch::console {

class LocalClusterLauncher : public QObject {
  Q_OBJECT

 public:
  struct Options {
    QString dataDir;  // certs/, agent/, logs/ go here
    QString binDir;   // where orch-master and orch-agent are
    int masterPort = 5050;  // 0 or busy: a free port is chosen
    int agentPort = 5051;
    bool cgroups = true;
  };

  explicit LocalClusterLauncher(QObject* parent = nullptr);
  ~LocalClusterLauncher() override;

  // Starts master and agent; returns the operator config to connect with (the master may take a
  // moment to answer: the connection's reconnect covers that). Errors say what failed.
  absl::StatusOr<client::ClientConfig> start(const Options& options);
  void stop();
  bool running() const { return masterPid_ > 0; }
  void setKeepRunning(bool keep) { keepRunning_ = keep; }
  QString masterAddress() const { return masterAddress_; }

  // $XDG_DATA_HOME/orchestrator (or ~/.local/share/orchestrator).
  static QString defaultDataDir();
  // The directory of the running executable.
  static QString ownBinDir();
  // Whether a TCP port on 127.0.0.1 can be bound now.
  static bool portFree(int port);
  static int freePort();

 private:
  absl::StatusOr<qint64> spawn(const QString& program, const QStringList& args, const QString& logFile);

  qint64 masterPid_ = -1;
  qint64 agentPid_ = -1;
  bool keepRunning_ = false;
  QString masterAddress_;
};

}  // namespace orch::console
