#include "views/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include "dialogs/connect_dialog.h"
#include "dialogs/run_task_dialog.h"
#include "dialogs/task_details_dialog.h"
#include "models/model_roles.h"
#include "views/overview_page.h"
#include "views/table_page.h"
#include "views/topology_page.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

namespace {
QString statusText(const absl::Status& s) { return QString::fromStdString(std::string(s.message())); }
}  // namespace

MainWindow::MainWindow(QWidget* parent) : MainWindow(Options{}, parent) {}

MainWindow::MainWindow(Options options, QWidget* parent)
    : QMainWindow(parent), options_(options), models_(this), connection_(models_, this) {
  setWindowTitle(tr("Orchestrator Console"));
  tabs_ = new QTabWidget(this);
  overview_ = new OverviewPage(models_, tabs_);
  agents_ = new TablePage(&models_.agents(),
                          {{QStringLiteral("ACTIVE"), tr("active")},
                           {QStringLiteral("DRAINING"), tr("draining")},
                           {QStringLiteral("DRAINED"), tr("drained")},
                           {QStringLiteral("UNREACHABLE"), tr("unreachable")},
                           {QStringLiteral("GONE"), tr("gone")}},
                          tabs_);
  frameworks_ = new TablePage(&models_.frameworks(),
                              {{QStringLiteral("connected"), tr("connected")},
                               {QStringLiteral("disconnected"), tr("disconnected")},
                               {QStringLiteral("inactive"), tr("inactive")}},
                              tabs_);
  QList<QPair<QString, QString>> taskStates;
  for (v1::TaskState s : {v1::TASK_STAGING, v1::TASK_STARTING, v1::TASK_RUNNING, v1::TASK_KILLING, v1::TASK_FINISHED,
                          v1::TASK_FAILED, v1::TASK_KILLED, v1::TASK_LOST, v1::TASK_UNREACHABLE, v1::TASK_ERROR}) {
    taskStates.append({TasksModel::stateName(s), TasksModel::stateText(s)});
  }
  tasks_ = new TablePage(&models_.tasks(), taskStates, tabs_);
  tasks_->view()->sortByColumn(TasksModel::kAge, Qt::AscendingOrder);

  tabs_->addTab(overview_, tr("&Overview"));
  tabs_->addTab(agents_, tr("&Agents"));
  tabs_->addTab(frameworks_, tr("&Frameworks"));
  tabs_->addTab(tasks_, tr("&Tasks"));
  if (options_.topology) {
    topology_ = new TopologyPage(models_, tabs_);
    tabs_->addTab(topology_, tr("To&pology"));
    connect(topology_, &TopologyPage::objectSelected, this,
            [this](TopologyFeed::ObjectKind kind, const QString& id) { selectObject(kind, id, false); });
    connect(topology_, &TopologyPage::objectActivated, this, [this](TopologyFeed::ObjectKind kind, const QString& id) {
      selectObject(kind, id, true);
      if (kind == TopologyFeed::ObjectKind::kTask) showTaskDetails(id);
    });
  }
  setCentralWidget(tabs_);

  stateLabel_ = new QLabel(this);
  masterLabel_ = new QLabel(this);
  countsLabel_ = new QLabel(this);
  statusBar()->addPermanentWidget(countsLabel_);
  statusBar()->addPermanentWidget(masterLabel_);
  statusBar()->addPermanentWidget(stateLabel_);

  buildActions();
  buildMenus();
  onConnectionState(ClusterConnection::State::kDisconnected, {}, {});

  connect(&connection_, &ClusterConnection::stateChanged, this, &MainWindow::onConnectionState);
  connect(&models_, &ClusterModels::batchApplied, this, [this] {
    countsLabel_->setText(tr("%1 agents, %2 frameworks, %3 tasks")
                              .arg(models_.agents().rowCount())
                              .arg(models_.frameworks().rowCount())
                              .arg(models_.tasks().rowCount()));
    updateActions();
  });
  connect(&models_, &ClusterModels::leaderChanged, this, [this] { onConnectionState(connection_.state(), connection_.master(), connection_.lastError()); });
  connect(agents_, &TablePage::currentIdChanged, this, [this](const QString& id) {
    updateActions();
    if (topology_ && !id.isEmpty()) topology_->selectObject(TopologyFeed::ObjectKind::kAgent, id);
  });
  connect(frameworks_, &TablePage::currentIdChanged, this, [this](const QString& id) {
    if (topology_ && !id.isEmpty()) topology_->selectObject(TopologyFeed::ObjectKind::kFramework, id);
  });
  connect(tasks_, &TablePage::currentIdChanged, this, [this](const QString& id) {
    updateActions();
    if (topology_ && !id.isEmpty()) topology_->selectObject(TopologyFeed::ObjectKind::kTask, id);
  });
  connect(tasks_, &TablePage::activated, this, [this](const QString& id) { showTaskDetails(id); });
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { updateActions(); });
  connect(&ageTimer_, &QTimer::timeout, this, [this] { models_.tasks().refreshAges(); });
  ageTimer_.start(5000);
  updateActions();
  resize(1280, 800);
}

MainWindow::~MainWindow() {
  for (auto& d : details_) delete d.data();
  connection_.disconnectFromCluster();
  // The pages use the models: they go first.
  delete takeCentralWidget();
}

void MainWindow::buildActions() {
  runTask_ = new QAction(tr("&Run Task..."), this);
  runTask_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  connect(runTask_, &QAction::triggered, this, &MainWindow::openRunTask);
  drain_ = new QAction(tr("&Drain Agent..."), this);
  drain_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
  connect(drain_, &QAction::triggered, this, &MainWindow::requestDrain);
  reactivate_ = new QAction(tr("R&eactivate Agent..."), this);
  reactivate_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
  connect(reactivate_, &QAction::triggered, this, &MainWindow::requestReactivate);
  kill_ = new QAction(tr("&Kill Task..."), this);
  kill_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  connect(kill_, &QAction::triggered, this, &MainWindow::requestKill);
  details_action_ = new QAction(tr("Task &Details and Logs"), this);
  details_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  connect(details_action_, &QAction::triggered, this, [this] {
    if (!tasks_->currentId().isEmpty()) showTaskDetails(tasks_->currentId());
  });
  connect_ = new QAction(tr("&Connect to Cluster..."), this);
  connect_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
  connect(connect_, &QAction::triggered, this, &MainWindow::openConnect);
  startLocal_ = new QAction(tr("Start &Local Cluster..."), this);
  startLocal_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
  connect(startLocal_, &QAction::triggered, this, &MainWindow::openStartLocal);
  disconnect_ = new QAction(tr("D&isconnect"), this);
  connect(disconnect_, &QAction::triggered, this, [this] { connection_.disconnectFromCluster(); });
  find_ = new QAction(tr("&Find"), this);
  find_->setShortcut(QKeySequence::Find);
  connect(find_, &QAction::triggered, this, [this] {
    if (auto* page = qobject_cast<TablePage*>(tabs_->currentWidget())) {
      page->searchField()->setFocus();
      page->searchField()->selectAll();
    }
  });
  quit_ = new QAction(tr("&Quit"), this);
  quit_->setShortcut(QKeySequence::Quit);
  connect(quit_, &QAction::triggered, this, &QWidget::close);

  agents_->addActionButton(drain_);
  agents_->addActionButton(reactivate_);
  tasks_->addActionButton(details_action_);
  tasks_->addActionButton(kill_);
  tasks_->addActionButton(runTask_);
}

void MainWindow::buildMenus() {
  QMenu* cluster = menuBar()->addMenu(tr("&Cluster"));
  cluster->addAction(connect_);
  cluster->addAction(startLocal_);
  cluster->addAction(disconnect_);
  cluster->addSeparator();
  cluster->addAction(quit_);
  QMenu* actions = menuBar()->addMenu(tr("&Actions"));
  actions->addAction(runTask_);
  actions->addAction(details_action_);
  actions->addAction(kill_);
  actions->addSeparator();
  actions->addAction(drain_);
  actions->addAction(reactivate_);
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(find_);
  for (int i = 0; i < tabs_->count(); ++i) {
    QAction* go = view->addAction(tabs_->tabText(i).remove(QLatin1Char('&')));
    go->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    connect(go, &QAction::triggered, this, [this, i] { tabs_->setCurrentIndex(i); });
  }
}

void MainWindow::updateActions() {
  const bool open = connection_.isOpen();
  const v1::AgentState* agent = models_.agents().agent(agents_->currentId());
  const v1::TaskRecord* task = models_.tasks().task(tasks_->currentId());
  drain_->setEnabled(open && agent && agent->status() == v1::AgentState::ACTIVE);
  reactivate_->setEnabled(open && agent &&
                          (agent->status() == v1::AgentState::DRAINING || agent->status() == v1::AgentState::DRAINED));
  kill_->setEnabled(open && task && !TasksModel::isTerminal(task->state()));
  details_action_->setEnabled(task != nullptr);
  runTask_->setEnabled(open);
  disconnect_->setEnabled(open);
}

void MainWindow::onConnectionState(ClusterConnection::State state, const QString& master, const QString& error) {
  QString text = ClusterConnection::stateText(state);
  if (state == ClusterConnection::State::kDisconnected && connection_.isOpen()) {
    text = error.isEmpty() ? tr("Disconnected, reconnecting") : tr("Disconnected (%1), reconnecting").arg(error);
  }
  stateLabel_->setText(text);
  const char* color = state == ClusterConnection::State::kConnected    ? "#2e7d32"
                      : state == ClusterConnection::State::kConnecting ? "#ef6c00"
                                                                       : "#c62828";
  stateLabel_->setStyleSheet(QStringLiteral("color: %1; font-weight: bold").arg(QLatin1String(color)));
  // The operator stream is served by the leading master only, so the master it is connected to
  // is the current leader; ZooKeeper names where the masters were found.
  QString leader = models_.leader();
  if (leader.isEmpty() && state == ClusterConnection::State::kConnected) leader = master;
  QString where = master.isEmpty() ? tr("No master")
                  : leader.isEmpty() ? tr("Master %1").arg(master)
                  : leader == master ? tr("Leader %1").arg(leader)
                                     : tr("Master %1 (leader %2)").arg(master, leader);
  if (!connection_.zooKeeperUrl().isEmpty() && connection_.isOpen()) {
    where = tr("%1 via %2").arg(where, connection_.zooKeeperUrl());
  }
  masterLabel_->setText(where);
  updateActions();
}

absl::Status MainWindow::connectTo(const client::ClientConfig& config) {
  return connected(connection_.connectTo(config));
}

absl::Status MainWindow::connectWith(std::shared_ptr<const ClusterCredentials> credentials) {
  return connected(connection_.connectWith(std::move(credentials)));
}

absl::Status MainWindow::connected(absl::Status s) {
  if (!s.ok()) {
    statusBar()->showMessage(tr("Cannot connect: %1").arg(statusText(s)));
  } else {
    QStringList masters = connection_.resolvedMasters();
    if (masters.isEmpty()) {
      for (const std::string& m : connection_.config().masters) masters << QString::fromStdString(m);
    }
    masterLabel_->setText(tr("Master %1").arg(masters.join(QStringLiteral(", "))));
  }
  updateActions();
  return s;
}

absl::Status MainWindow::startLocalCluster(const LocalClusterLauncher::Options& options) {
  if (!local_) local_ = std::make_unique<LocalClusterLauncher>();
  auto config = local_->start(options);
  if (!config.ok()) {
    statusBar()->showMessage(tr("Cannot start the local cluster: %1").arg(statusText(config.status())));
    return config.status();
  }
  statusBar()->showMessage(tr("Local cluster started: master %1").arg(local_->masterAddress()), 10000);
  return connectTo(*config);
}

void MainWindow::selectObject(TopologyFeed::ObjectKind kind, const QString& id, bool switchTab) {
  TablePage* page = kind == TopologyFeed::ObjectKind::kAgent       ? agents_
                    : kind == TopologyFeed::ObjectKind::kFramework ? frameworks_
                                                                   : tasks_;
  page->selectId(id);
  if (switchTab) tabs_->setCurrentWidget(page);
  if (topology_) topology_->selectObject(kind, id);
}

void MainWindow::drainAgent(const QString& agentId) {
  agents_->showMessage(tr("Draining agent %1...").arg(agentId), false);
  connection_.drainAgent(agentId, [this, agentId](absl::Status s) {
    agents_->showMessage(s.ok() ? tr("Agent %1 is draining: its tasks are being stopped and it gets no new ones.").arg(agentId)
                                : tr("Cannot drain agent %1: %2").arg(agentId, statusText(s)),
                         !s.ok());
  });
}

void MainWindow::reactivateAgent(const QString& agentId) {
  agents_->showMessage(tr("Reactivating agent %1...").arg(agentId), false);
  connection_.reactivateAgent(agentId, [this, agentId](absl::Status s) {
    agents_->showMessage(s.ok() ? tr("Agent %1 is active again.").arg(agentId)
                                : tr("Cannot reactivate agent %1: %2").arg(agentId, statusText(s)),
                         !s.ok());
  });
}

void MainWindow::requestDrain() {
  const QString id = agents_->currentId();
  if (id.isEmpty()) return;
  if (QMessageBox::question(this, tr("Drain agent"),
                            tr("Drain agent %1? Its tasks are killed and it receives no new tasks until it is "
                               "reactivated.")
                                .arg(id),
                            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Yes) {
    drainAgent(id);
  }
}

void MainWindow::requestReactivate() {
  const QString id = agents_->currentId();
  if (id.isEmpty()) return;
  if (QMessageBox::question(this, tr("Reactivate agent"), tr("Reactivate agent %1 so it receives tasks again?").arg(id),
                            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Yes) {
    reactivateAgent(id);
  }
}

void MainWindow::requestKill() {
  const QString id = tasks_->currentId();
  if (id.isEmpty()) return;
  if (QMessageBox::question(this, tr("Kill task"),
                            tr("Kill task %1? It gets SIGTERM, then SIGKILL after its grace period.").arg(id),
                            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes) {
    return;
  }
  tasks_->showMessage(tr("Killing task %1...").arg(id), false);
  connection_.killTask(id, [this, id](absl::Status s) {
    tasks_->showMessage(s.ok() ? tr("Kill sent to task %1.").arg(id) : tr("Cannot kill task %1: %2").arg(id, statusText(s)),
                        !s.ok());
  });
}

TaskDetailsDialog* MainWindow::showTaskDetails(const QString& taskId) {
  QPointer<TaskDetailsDialog>& dialog = details_[taskId];
  if (!dialog) dialog = new TaskDetailsDialog(models_, connection_, taskId, this);
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
  return dialog;
}

void MainWindow::openRunTask() {
  auto* dialog = new RunTaskDialog(connection_.credentials(), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &RunTaskDialog::taskLaunched, this, [this](const QString& taskId) {
    tabs_->setCurrentWidget(tasks_);
    // The row appears with the TASK_ADDED event; select it when it does.
    QTimer::singleShot(300, this, [this, taskId] { tasks_->selectId(taskId); });
  });
  dialog->show();
}

void MainWindow::openConnect() {
  ConnectDialog dialog(this);
  if (dialog.exec() != QDialog::Accepted) return;
  if (absl::Status s = connectWith(dialog.credentials()); !s.ok()) {
    QMessageBox::warning(this, tr("Connect to cluster"), tr("Cannot connect: %1").arg(statusText(s)));
    return;
  }
  if (!dialog.keychainWarning().isEmpty()) statusBar()->showMessage(dialog.keychainWarning(), 15000);
}

void MainWindow::openStartLocal() {
  if (local_ && local_->running()) {
    QMessageBox::information(this, tr("Local cluster"), tr("The local cluster is already running at %1.").arg(local_->masterAddress()));
    return;
  }
  LocalClusterLauncher::Options options;
  options.dataDir = LocalClusterLauncher::defaultDataDir();
  options.binDir = LocalClusterLauncher::ownBinDir();
  if (absl::Status s = startLocalCluster(options); !s.ok()) {
    QMessageBox::warning(this, tr("Local cluster"), tr("Cannot start the local cluster: %1").arg(statusText(s)));
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (local_ && local_->running() && confirmOnClose_) {
    const auto answer = QMessageBox::question(
        this, tr("Quit"), tr("Stop the local cluster the console started? Choose No to leave it running."),
        QMessageBox::Yes | QMessageBox::No | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer == QMessageBox::Cancel) {
      event->ignore();
      return;
    }
    local_->setKeepRunning(answer == QMessageBox::No);
  }
  event->accept();
}

}  // namespace orch::console
