// graphview-demo: shows a synthetic cluster topology (hosts -> containers -> processes) of 1k,
// 10k or 50k nodes, optionally with live updates touching 1% of the nodes per second.
//   graphview-demo [--nodes N] [--live] [--seed S] [--screenshot FILE]
// Double-click a host/container to collapse it (or expand it when collapsed); type in the search
// box to dim everything else; keys as in GraphWidget.
#include "model/topology_generator.h"
#include "render/graph_widget.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCommandLineParser>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

using namespace orch::graphview;

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QCommandLineParser parser;
  parser.setApplicationDescription("graphview demo: synthetic live topology");
  parser.addHelpOption();
  QCommandLineOption nodesOption("nodes", "Number of nodes (1000, 10000, 50000...).", "N", "1000");
  QCommandLineOption liveOption("live", "Change 1% of the nodes every second.");
  QCommandLineOption seedOption("seed", "Random seed.", "S", "1");
  QCommandLineOption shotOption("screenshot", "Save a screenshot once the layout settles, then quit.", "FILE");
  parser.addOptions({nodesOption, liveOption, seedOption, shotOption});
  parser.process(app);
  bool ok = false;
  const int nodes = parser.value(nodesOption).toInt(&ok);
  if (!ok || nodes <= 0 || nodes > 1000000) {
    qCritical("graphview-demo: --nodes must be a positive integer up to 1000000, got '%s'",
              qPrintable(parser.value(nodesOption)));
    return 2;
  }

  TopologySpec spec;
  spec.targetNodes = nodes;
  spec.seed = parser.value(seedOption).toUInt();
  auto generator = std::make_shared<TopologyGenerator>(spec);

  QMainWindow window;
  auto* central = new QWidget;
  auto* column = new QVBoxLayout(central);
  auto* bar = new QHBoxLayout;
  auto* search = new QLineEdit;
  search->setPlaceholderText("search labels...");
  auto* colourBy = new QComboBox;
  colourBy->addItems({"colour by status", "colour by kind"});
  auto* live = new QCheckBox("live updates (1%/s)");
  live->setChecked(parser.isSet(liveOption));
  bar->addWidget(search, 1);
  bar->addWidget(colourBy);
  bar->addWidget(live);
  column->addLayout(bar);
  auto* view = new GraphWidget;
  column->addWidget(view, 1);
  window.setCentralWidget(central);
  window.resize(1400, 900);
  window.setWindowTitle(QString("graphview demo - %1 nodes").arg(nodes));

  const ApplyReport report = view->applyDelta(generator->generate());
  if (!report.ok()) qWarning("graphview-demo: %s", qPrintable(report.errors.join("; ")));

  QObject::connect(search, &QLineEdit::textChanged, view, [view](const QString& text) {
    if (text.isEmpty()) {
      view->setSearchPredicate({});
    } else {
      view->setSearchPredicate([text](const VisibleNode& n) { return n.label.contains(text, Qt::CaseInsensitive); });
    }
  });
  QObject::connect(colourBy, &QComboBox::currentIndexChanged, view, [view](int index) {
    NodeStyle style = NodeStyle::standard();
    if (index == 1) style.color = NodeStyle::colorByKind();
    view->setNodeStyle(style);
  });
  QObject::connect(view, &GraphWidget::nodeActivated, view, [view](const QString& id) {
    if (view->model().isCollapsed(id)) {
      view->expandGroup(id);
    } else if (!view->model().children(id).isEmpty()) {
      view->collapseGroup(id);
    }
  });
  QObject::connect(view, &GraphWidget::selectionChanged, &window, [&window](const QStringList& ids) {
    window.statusBar()->showMessage(ids.isEmpty() ? QString("no selection")
                                                  : QString("%1 selected: %2").arg(ids.size()).arg(ids.mid(0, 5).join(", ")));
  });

  QTimer liveTimer;
  liveTimer.setInterval(1000);
  QObject::connect(&liveTimer, &QTimer::timeout, view, [view, generator] {
    view->applyDelta(generator->liveUpdate(view->model(), 0.01));
  });
  QObject::connect(live, &QCheckBox::toggled, &liveTimer, [&liveTimer](bool on) { on ? liveTimer.start() : liveTimer.stop(); });
  if (live->isChecked()) liveTimer.start();

  window.show();
  if (parser.isSet(shotOption)) {
    const QString file = parser.value(shotOption);
    QTimer::singleShot(100, view, [view, file] {
      view->waitForLayout(120000);
      view->repaint();
      if (!view->grabFramebuffer().save(file)) qCritical("graphview-demo: cannot write '%s'", qPrintable(file));
      QApplication::quit();
    });
  }
  return app.exec();
}
