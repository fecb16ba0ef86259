#include "dialogs/run_task_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QVBoxLayout>

namespace orch::console {

RunTaskDialog::RunTaskDialog(std::shared_ptr<const ClusterCredentials> credentials, QWidget* parent)
    : QDialog(parent), credentials_(std::move(credentials)) {
  setWindowTitle(tr("Run Task"));
  name_ = new QLineEdit(this);
  name_->setPlaceholderText(tr("console-run"));
  command_ = new QLineEdit(this);
  command_->setPlaceholderText(tr("e.g. echo hello; sleep 30"));
  cpus_ = new QDoubleSpinBox(this);
  cpus_->setDecimals(3);
  cpus_->setRange(0.001, 1024);
  cpus_->setSingleStep(0.1);
  cpus_->setValue(0.1);
  mem_ = new QDoubleSpinBox(this);
  mem_->setDecimals(0);
  mem_->setRange(1, 1024 * 1024);
  mem_->setValue(32);
  mem_->setSuffix(tr(" MB"));
  disk_ = new QDoubleSpinBox(this);
  disk_->setDecimals(0);
  disk_->setRange(0, 1024 * 1024 * 16);
  disk_->setSuffix(tr(" MB"));
  role_ = new QLineEdit(QStringLiteral("*"), this);

  auto* form = new QFormLayout;
  form->addRow(tr("&Name:"), name_);
  form->addRow(tr("&Command:"), command_);
  form->addRow(tr("C&PUs:"), cpus_);
  form->addRow(tr("&Memory:"), mem_);
  form->addRow(tr("&Disk:"), disk_);
  form->addRow(tr("&Role:"), role_);

  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* buttons = new QDialogButtonBox(this);
  runButton_ = buttons->addButton(tr("&Run"), QDialogButtonBox::AcceptRole);
  runButton_->setDefault(true);
  buttons->addButton(QDialogButtonBox::Close);
  connect(runButton_, &QPushButton::clicked, this, &RunTaskDialog::run);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(status_);
  layout->addWidget(buttons);
  command_->setFocus();
  resize(520, sizeHint().height());
}

TaskRequest RunTaskDialog::request() const {
  TaskRequest r;
  r.name = name_->text().trimmed();
  r.command = command_->text();
  r.cpus = cpus_->value();
  r.mem = mem_->value();
  r.disk = disk_->value();
  r.role = role_->text().trimmed();
  return r;
}

void RunTaskDialog::showError(const QString& message) {
  status_->setStyleSheet(QStringLiteral("color: #c62828"));
  status_->setText(message);
  runButton_->setEnabled(true);
}

void RunTaskDialog::run() {
  const TaskRequest r = request();
  if (const QString invalid = TaskLauncher::validate(r); !invalid.isEmpty()) {
    showError(invalid);
    return;
  }
  runButton_->setEnabled(false);
  status_->setStyleSheet({});
  status_->setText(tr("Subscribing to the master..."));
  // The launcher outlives the dialog: it follows the task to its end, then deletes itself.
  auto* launcher = new TaskLauncher(parent() != nullptr ? parent() : this);
  connect(launcher, &TaskLauncher::progress, this, [this](const QString& m) { status_->setText(m); });
  connect(launcher, &TaskLauncher::failed, this, &RunTaskDialog::showError);
  connect(launcher, &TaskLauncher::failed, launcher, &QObject::deleteLater);
  connect(launcher, &TaskLauncher::launched, this, [this](const QString& taskId, const QString& agentId) {
    status_->setText(tr("Task %1 launched on agent %2.").arg(taskId, agentId));
    runButton_->setEnabled(true);
    emit taskLaunched(taskId);
  });
  connect(launcher, &TaskLauncher::finished, launcher, &QObject::deleteLater);
  launcher->start(credentials_, r);
}

}  // namespace orch::console
