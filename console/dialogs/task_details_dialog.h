// A task's details: its fields (kept current from the Tasks model), stdout and stderr that
// follow live from the agent, and Kill with confirmation. Non-modal; one per task.
#pragma once

#include <QCheckBox>
#include <QDialog>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>

#include "cluster/log_follower.h"

namespace orch::console {

class ClusterConnection;
class ClusterModels;

class TaskDetailsDialog : public QDialog {
  Q_OBJECT

 public:
  TaskDetailsDialog(ClusterModels& models, ClusterConnection& connection, const QString& taskId,
                    QWidget* parent = nullptr);
  ~TaskDetailsDialog() override;

  QString taskId() const { return taskId_; }
  QPlainTextEdit* stdoutView() const { return stdout_; }
  QPlainTextEdit* stderrView() const { return stderr_; }
  QString stateText() const { return state_->text(); }
  QPushButton* killButton() const { return kill_; }
  // Kills without asking (the confirmation is in requestKill).
  void killNow();

 public slots:
  // Asks for confirmation, then kills.
  void requestKill();

 private:
  void refreshFields();
  void startLogs();
  void append(QPlainTextEdit* view, const QString& text);

  ClusterModels& models_;
  ClusterConnection& connection_;
  QString taskId_;
  QString followedEndpoint_;
  QLabel* name_;
  QLabel* state_;
  QLabel* agent_;
  QLabel* framework_;
  QLabel* resources_;
  QLabel* command_;
  QLabel* message_;
  QLabel* error_;
  QPlainTextEdit* stdout_;
  QPlainTextEdit* stderr_;
  QCheckBox* follow_;
  QPushButton* kill_;
  LogFollower stdoutFollower_;
  LogFollower stderrFollower_;
};

}  // namespace orch::console
