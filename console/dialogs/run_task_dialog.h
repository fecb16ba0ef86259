// Run Task: name, shell command and resources; launches through a TaskLauncher (the same
// one-shot framework flow as `orchctl run`) and shows its progress and any error in the dialog.
#pragma once

#include <QDialog>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

#include "client/client_config.h"
#include "cluster/task_launcher.h"

namespace orch::console {

class RunTaskDialog : public QDialog {
  Q_OBJECT

 public:
  RunTaskDialog(std::shared_ptr<const ClusterCredentials> credentials, QWidget* parent = nullptr);

  QLineEdit* nameField() const { return name_; }
  QLineEdit* commandField() const { return command_; }
  QDoubleSpinBox* cpusField() const { return cpus_; }
  QDoubleSpinBox* memField() const { return mem_; }
  QLabel* statusLabel() const { return status_; }
  TaskRequest request() const;

 public slots:
  // Validates and launches (the Run button).
  void run();

 signals:
  // The master accepted the launch; the task will show up in the Tasks view.
  void taskLaunched(const QString& taskId);

 private:
  void showError(const QString& message);

  std::shared_ptr<const ClusterCredentials> credentials_;
  QLineEdit* name_;
  QLineEdit* command_;
  QDoubleSpinBox* cpus_;
  QDoubleSpinBox* mem_;
  QDoubleSpinBox* disk_;
  QLineEdit* role_;
  QLabel* status_;
  QPushButton* runButton_;
};

}  // namespace orch::console
