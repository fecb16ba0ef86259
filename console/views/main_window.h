// The console's main window: Overview, Agents, Frameworks, Tasks and Topology tabs over one
// ClusterModels, the connection's state and current master in the status bar, and the actions
// (run task, drain/reactivate agent, kill task, task details) with shortcuts and confirmation.
#pragma once

#include <QAction>
#include <QLabel>
#include <QMainWindow>
#include <QPointer>
#include <QTabWidget>
#include <QTimer>

#include <memory>

#include "cluster/cluster_connection.h"
#include "cluster/local_cluster_launcher.h"
#include "models/cluster_models.h"
#include "models/topology_feed.h"

namespace orch::console {

class OverviewPage;
class TablePage;
class TopologyPage;
class TaskDetailsDialog;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  struct Options {
    bool topology = true;  // false: no OpenGL view (benchmarks, headless checks)
  };

  explicit MainWindow(QWidget* parent = nullptr);
  MainWindow(Options options, QWidget* parent = nullptr);
  ~MainWindow() override;

  ClusterModels& models() { return models_; }
  ClusterConnection& connection() { return connection_; }
  QTabWidget* tabs() const { return tabs_; }
  OverviewPage* overviewPage() const { return overview_; }
  TablePage* agentsPage() const { return agents_; }
  TablePage* frameworksPage() const { return frameworks_; }
  TablePage* tasksPage() const { return tasks_; }
  TopologyPage* topologyPage() const { return topology_; }
  QString connectionText() const { return stateLabel_->text(); }
  QString masterText() const { return masterLabel_->text(); }

  // Connects to a cluster; errors are shown in the status bar and returned.
  absl::Status connectTo(const client::ClientConfig& config);
  // Same with credentials loaded already (a profile whose key was decrypted with its passphrase).
  absl::Status connectWith(std::shared_ptr<const ClusterCredentials> credentials);
  // Starts the local cluster (first run) and connects to it.
  absl::Status startLocalCluster(const LocalClusterLauncher::Options& options);
  LocalClusterLauncher* localCluster() const { return local_.get(); }
  // Whether closing asks about a local cluster the console started (off when a signal ends the
  // console: the cluster is then stopped unless it was started with --keep-cluster).
  void setConfirmOnClose(bool confirm) { confirmOnClose_ = confirm; }

  // Actions without confirmation (the menu and buttons ask first).
  void drainAgent(const QString& agentId);
  void reactivateAgent(const QString& agentId);
  // Opens (or raises) the details of a task.
  TaskDetailsDialog* showTaskDetails(const QString& taskId);
  // Selects an object in its table and in the topology.
  void selectObject(TopologyFeed::ObjectKind kind, const QString& id, bool switchTab);

 public slots:
  void requestDrain();
  void requestReactivate();
  void requestKill();
  void openRunTask();
  void openConnect();
  void openStartLocal();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildActions();
  void buildMenus();
  void updateActions();
  // Shows the result of a connect attempt and the masters it goes to.
  absl::Status connected(absl::Status status);
  void onConnectionState(ClusterConnection::State state, const QString& master, const QString& error);

  Options options_;
  bool confirmOnClose_ = true;
  ClusterModels models_;
  ClusterConnection connection_;
  std::unique_ptr<LocalClusterLauncher> local_;
  QTabWidget* tabs_;
  OverviewPage* overview_;
  TablePage* agents_;
  TablePage* frameworks_;
  TablePage* tasks_;
  TopologyPage* topology_ = nullptr;
  QLabel* stateLabel_;
  QLabel* masterLabel_;
  QLabel* countsLabel_;
  QTimer ageTimer_;
  QMap<QString, QPointer<TaskDetailsDialog>> details_;

  QAction* runTask_;
  QAction* drain_;
  QAction* reactivate_;
  QAction* kill_;
  QAction* details_action_;
  QAction* connect_;
  QAction* startLocal_;
  QAction* disconnect_;
  QAction* find_;
  QAction* quit_;
};

}  // namespace orch::console
