// The Overview tab: cpus, mem, disk and gpus (used / offered / idle / total), tasks and agents
// by state, and an hour of utilisation history drawn with Qt Charts. Recomputed from the local
// models (at most once a second, only after they changed), never by asking the cluster.
#pragma once

#include <QLabel>
#include <QTimer>
#include <QWidget>

#include <map>

class QChartView;
class QLineSeries;
class QValueAxis;
class QDateTimeAxis;
class QGridLayout;

namespace orch::console {

class ClusterModels;

class OverviewPage : public QWidget {
  Q_OBJECT

 public:
  explicit OverviewPage(ClusterModels& models, QWidget* parent = nullptr);

  // Recomputes now (tests).
  void refresh();
  // The text shown for a resource row, e.g. "cpus" -> "0.5 / 4 (12%)".
  QString resourceText(const QString& name) const;
  QString tasksText() const { return tasks_->text(); }
  QString agentsText() const { return agents_->text(); }

 private:
  void markDirty() { dirty_ = true; }
  void sample();

  ClusterModels& models_;
  std::map<QString, QLabel*> resourceLabels_;
  QLabel* tasks_;
  QLabel* agents_;
  QChartView* chartView_;
  QLineSeries* cpuSeries_;
  QLineSeries* memSeries_;
  QDateTimeAxis* timeAxis_;
  QTimer refreshTimer_;
  QTimer sampleTimer_;
  bool dirty_ = true;
};

}  // namespace orch::console
