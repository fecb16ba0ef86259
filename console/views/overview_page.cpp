#include "views/overview_page.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QGroupBox>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

#include "models/cluster_models.h"
#include "models/cluster_totals.h"
#include "models/resource_values.h"

namespace orch::console {

namespace {
constexpr int kSampleMs = 5'000;
constexpr qint64 kHistoryMs = 3'600'000;

QString amountText(const QString& name, double value) {
  if (name == QLatin1String("mem") || name == QLatin1String("disk")) return megabytesText(value);
  return numberText(value);
}
}  // namespace

OverviewPage::OverviewPage(ClusterModels& models, QWidget* parent) : QWidget(parent), models_(models) {
  auto* resources = new QGroupBox(tr("Resources"), this);
  auto* grid = new QGridLayout(resources);
  const std::pair<QString, QString> rows[] = {{QStringLiteral("cpus"), tr("CPUs")},
                                              {QStringLiteral("mem"), tr("Memory")},
                                              {QStringLiteral("disk"), tr("Disk")},
                                              {QStringLiteral("gpus"), tr("GPUs")}};
  int r = 0;
  for (const auto& [name, label] : rows) {
    grid->addWidget(new QLabel(label, resources), r, 0);
    auto* value = new QLabel(resources);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(value, r, 1);
    resourceLabels_[name] = value;
    ++r;
  }
  grid->setColumnStretch(1, 1);

  auto* states = new QGroupBox(tr("States"), this);
  auto* stateGrid = new QGridLayout(states);
  tasks_ = new QLabel(states);
  agents_ = new QLabel(states);
  tasks_->setWordWrap(true);
  agents_->setWordWrap(true);
  stateGrid->addWidget(new QLabel(tr("Tasks"), states), 0, 0);
  stateGrid->addWidget(tasks_, 0, 1);
  stateGrid->addWidget(new QLabel(tr("Agents"), states), 1, 0);
  stateGrid->addWidget(agents_, 1, 1);
  stateGrid->setColumnStretch(1, 1);

  auto* chart = new QChart;
  chart->setTitle(tr("Utilisation, last hour"));
  cpuSeries_ = new QLineSeries(chart);
  cpuSeries_->setName(tr("CPUs used %"));
  memSeries_ = new QLineSeries(chart);
  memSeries_->setName(tr("Memory used %"));
  chart->addSeries(cpuSeries_);
  chart->addSeries(memSeries_);
  timeAxis_ = new QDateTimeAxis(chart);
  timeAxis_->setFormat(QStringLiteral("HH:mm"));
  timeAxis_->setTitleText(tr("Time"));
  auto* valueAxis = new QValueAxis(chart);
  valueAxis->setRange(0, 100);
  valueAxis->setTitleText(tr("Percent"));
  chart->addAxis(timeAxis_, Qt::AlignBottom);
  chart->addAxis(valueAxis, Qt::AlignLeft);
  for (QLineSeries* s : {cpuSeries_, memSeries_}) {
    s->setPointsVisible(true);
    s->attachAxis(timeAxis_);
    s->attachAxis(valueAxis);
  }
  chartView_ = new QChartView(chart, this);
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setMinimumHeight(220);

  auto* top = new QHBoxLayout;
  top->addWidget(resources, 1);
  top->addWidget(states, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(chartView_, 1);

  connect(&models_, &ClusterModels::batchApplied, this, [this] { markDirty(); });
  connect(&refreshTimer_, &QTimer::timeout, this, [this] {
    if (dirty_) refresh();
  });
  refreshTimer_.start(1000);
  connect(&sampleTimer_, &QTimer::timeout, this, &OverviewPage::sample);
  sampleTimer_.start(kSampleMs);
  refresh();
  sample();
}

QString OverviewPage::resourceText(const QString& name) const {
  auto it = resourceLabels_.find(name);
  return it == resourceLabels_.end() ? QString() : it->second->text();
}

void OverviewPage::refresh() {
  dirty_ = false;
  const auto totals = clusterTotals(models_.agents());
  for (const auto& [name, t] : totals) {
    auto it = resourceLabels_.find(name);
    if (it == resourceLabels_.end()) continue;
    it->second->setText(tr("%1 used, %2 offered, %3 idle of %4 (%5% used)")
                            .arg(amountText(name, t.used), amountText(name, t.offered), amountText(name, t.idle()),
                                 amountText(name, t.total))
                            .arg(QString::number(t.usedPercent(), 'f', 0)));
  }
  auto describe = [](const QHash<QString, int>& counts, QString (*label)(const QString&)) {
    QStringList keys = counts.keys();
    std::sort(keys.begin(), keys.end());
    QStringList parts;
    for (const QString& k : keys) parts << QStringLiteral("%1 %2").arg(counts.value(k)).arg(label(k));
    return parts.isEmpty() ? tr("none") : parts.join(QStringLiteral(", "));
  };
  tasks_->setText(describe(models_.tasks().countByState(), &TasksModel::stateTextForName));
  agents_->setText(describe(models_.agents().countByState(), &AgentsModel::stateTextForName));
}

void OverviewPage::sample() {
  const auto totals = clusterTotals(models_.agents());
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  cpuSeries_->append(static_cast<qreal>(now), totals.at(QStringLiteral("cpus")).usedPercent());
  memSeries_->append(static_cast<qreal>(now), totals.at(QStringLiteral("mem")).usedPercent());
  for (QLineSeries* s : {cpuSeries_, memSeries_}) {
    while (s->count() > 0 && s->at(0).x() < static_cast<qreal>(now - kHistoryMs)) s->remove(0);
  }
  // Up to an hour: a short history fills the chart instead of hugging its right edge.
  const qint64 first = cpuSeries_->count() > 0 ? static_cast<qint64>(cpuSeries_->at(0).x()) : now;
  const qint64 from = std::max(now - kHistoryMs, std::min(first, now - 60'000));
  timeAxis_->setFormat(now - from > 10 * 60'000 ? QStringLiteral("HH:mm") : QStringLiteral("HH:mm:ss"));
  timeAxis_->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(now));
}

}  // namespace orch::console
