#include "dialogs/task_details_dialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QMessageBox>
#include <QPointer>
#include <QScrollBar>
#include <QVBoxLayout>

#include "cluster/cluster_connection.h"
#include "models/cluster_models.h"
#include "models/resource_values.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

TaskDetailsDialog::TaskDetailsDialog(ClusterModels& models, ClusterConnection& connection, const QString& taskId,
                                     QWidget* parent)
    : QDialog(parent), models_(models), connection_(connection), taskId_(taskId) {
  setWindowTitle(tr("Task %1").arg(taskId));
  setAttribute(Qt::WA_DeleteOnClose);
  auto* form = new QFormLayout;
  auto label = [this] {
    auto* l = new QLabel(this);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
  };
  name_ = label();
  state_ = label();
  agent_ = label();
  framework_ = label();
  resources_ = label();
  command_ = label();
  message_ = label();
  form->addRow(tr("Name:"), name_);
  form->addRow(tr("State:"), state_);
  form->addRow(tr("Agent:"), agent_);
  form->addRow(tr("Framework:"), framework_);
  form->addRow(tr("Resources:"), resources_);
  form->addRow(tr("Command:"), command_);
  form->addRow(tr("Message:"), message_);

  const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  stdout_ = new QPlainTextEdit(this);
  stderr_ = new QPlainTextEdit(this);
  for (QPlainTextEdit* v : {stdout_, stderr_}) {
    v->setReadOnly(true);
    v->setFont(mono);
    v->setMaximumBlockCount(20000);
  }
  auto* logs = new QTabWidget(this);
  logs->addTab(stdout_, tr("stdout"));
  logs->addTab(stderr_, tr("stderr"));

  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c62828"));
  error_->hide();

  follow_ = new QCheckBox(tr("&Follow output"), this);
  follow_->setChecked(true);
  kill_ = new QPushButton(tr("&Kill task..."), this);
  kill_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  kill_->setToolTip(tr("Kill this task (Ctrl+K)"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  buttons->addButton(kill_, QDialogButtonBox::ActionRole);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(kill_, &QPushButton::clicked, this, &TaskDetailsDialog::requestKill);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(logs, 1);
  layout->addWidget(error_);
  auto* bottom = new QHBoxLayout;
  bottom->addWidget(follow_);
  bottom->addWidget(buttons, 1);
  layout->addLayout(bottom);
  resize(900, 640);

  connect(&stdoutFollower_, &LogFollower::textArrived, this, [this](const QString& t) { append(stdout_, t); });
  connect(&stderrFollower_, &LogFollower::textArrived, this, [this](const QString& t) { append(stderr_, t); });
  for (LogFollower* f : {&stdoutFollower_, &stderrFollower_}) {
    connect(f, &LogFollower::finished, this, [this](const QString& error) {
      if (error.isEmpty()) return;
      error_->setText(tr("Log: %1").arg(error));
      error_->show();
    });
  }
  connect(&models_, &ClusterModels::batchApplied, this, &TaskDetailsDialog::refreshFields);
  refreshFields();
}

TaskDetailsDialog::~TaskDetailsDialog() {
  stdoutFollower_.stop();
  stderrFollower_.stop();
}

void TaskDetailsDialog::append(QPlainTextEdit* view, const QString& text) {
  QScrollBar* bar = view->verticalScrollBar();
  const bool atEnd = bar->value() == bar->maximum();
  QTextCursor cursor(view->document());
  cursor.movePosition(QTextCursor::End);
  cursor.insertText(text);
  if (follow_->isChecked() || atEnd) bar->setValue(bar->maximum());
}

void TaskDetailsDialog::refreshFields() {
  const v1::TaskRecord* t = models_.tasks().task(taskId_);
  if (t == nullptr) {
    state_->setText(tr("unknown to the master"));
    return;
  }
  name_->setText(QString::fromStdString(t->task_info().name()));
  state_->setText(TasksModel::stateText(t->state()));
  const QString agentId = QString::fromStdString(t->task_info().agent_id());
  const v1::AgentState* agent = models_.agents().agent(agentId);
  agent_->setText(agent ? QStringLiteral("%1 (%2)").arg(QString::fromStdString(agent->agent_info().hostname()), agentId)
                        : agentId);
  framework_->setText(QString::fromStdString(t->framework_id()));
  resources_->setText(tr("%1 CPUs, %2")
                          .arg(numberText(scalarSum(t->task_info().resources(), "cpus")),
                               megabytesText(scalarSum(t->task_info().resources(), "mem"))));
  const v1::CommandInfo& c = t->task_info().command();
  QString command = QString::fromStdString(c.value());
  if (!c.shell()) {
    QStringList args;
    for (const std::string& a : c.arguments()) args << QString::fromStdString(a);
    if (!args.isEmpty()) command = args.join(QLatin1Char(' '));
  }
  command_->setText(command);
  message_->setText(QString::fromStdString(t->latest_status().message()));
  kill_->setEnabled(!TasksModel::isTerminal(t->state()));
  const QString endpoint = QString::fromStdString(t->agent_endpoint());
  if (!endpoint.isEmpty() && endpoint != followedEndpoint_) {
    followedEndpoint_ = endpoint;
    startLogs();
  }
}

void TaskDetailsDialog::startLogs() {
  stdout_->clear();
  stderr_->clear();
  stdoutFollower_.start(connection_.credentials(), followedEndpoint_, taskId_, client::LogStream::kStdout);
  stderrFollower_.start(connection_.credentials(), followedEndpoint_, taskId_, client::LogStream::kStderr);
}

void TaskDetailsDialog::requestKill() {
  const auto answer = QMessageBox::question(
      this, tr("Kill task"),
      tr("Kill task %1? It gets SIGTERM, then SIGKILL after its grace period.").arg(taskId_),
      QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
  if (answer == QMessageBox::Yes) killNow();
}

void TaskDetailsDialog::killNow() {
  kill_->setEnabled(false);
  error_->hide();
  QPointer<TaskDetailsDialog> self(this);
  connection_.killTask(taskId_, [self](absl::Status status) {
    if (!self || status.ok()) return;
    self->kill_->setEnabled(true);
    self->error_->setText(
        tr("Cannot kill task %1: %2").arg(self->taskId_, QString::fromStdString(std::string(status.message()))));
    self->error_->show();
  });
}

}  // namespace orch::console
