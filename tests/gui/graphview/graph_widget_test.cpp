// GraphWidget under Xvfb + Mesa: picking, rubber band, keyboard, hover, search dimming, group
// collapse and screenshots checked pixel by pixel. Skips when no display is available.
#include "model/topology_generator.h"
#include "render/graph_widget.h"

#include <QApplication>
#include <QDir>
#include <QtTest>

using namespace orch::graphview;

namespace {

QString screenshotDir() {
  const QString build = qEnvironmentVariable("ORCH_BUILD_DIR", QDir::currentPath());
  const QString dir = build + QStringLiteral("/screenshots");
  QDir().mkpath(dir);
  return dir;
}

bool near(QColor a, QColor b, int tolerance) {
  return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
         std::abs(a.blue() - b.blue()) <= tolerance;
}

QString describe(QColor c) { return QStringLiteral("rgb(%1,%2,%3)").arg(c.red()).arg(c.green()).arg(c.blue()); }

// Three nodes pinned at fixed world positions, one edge with traffic, a static layout.
GraphDelta fixedGraph() {
  GraphDelta d;
  d.addNode({"a", "alpha", NodeKind::Process, NodeStatus::Healthy, 1.0f, {}});
  d.addNode({"b", "beta", NodeKind::Host, NodeStatus::Critical, 1.0f, {}});
  d.addNode({"c", "gamma", NodeKind::Container, NodeStatus::Warning, 1.0f, {}});
  d.addEdge({{}, "a", "b", 1.0f, 0.5f});
  d.addEdge({{}, "b", "c", 1.0f, 0.0f});
  return d;
}

}  // namespace

class GraphWidgetTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<GraphWidget> widget_;

  void requireDisplay() {
    if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
      QSKIP("no display (DISPLAY unset): run under xvfb-run -a -s \"-screen 0 1920x1080x24\"");
    }
  }

  GraphWidget& makeFixed() {
    widget_ = std::make_unique<GraphWidget>(nullptr, QStringLiteral("static"));
    GraphWidget& w = *widget_;
    w.resize(400, 300);
    NodeStyle style = NodeStyle::standard();
    style.radius = NodeStyle::uniformSize(12.0f);
    w.setNodeStyle(style);
    w.setTrafficAnimation(false);
    const ApplyReport r = w.applyDelta(fixedGraph());
    if (!r.ok()) qFatal("fixture: %s", qPrintable(r.errors.join("; ")));
    w.pinNode("a", QPointF(0, 0));
    w.pinNode("b", QPointF(200, 0));
    w.pinNode("c", QPointF(100, 150));
    w.show();
    if (!QTest::qWaitForWindowExposed(&w)) qWarning("window not exposed");
    w.waitForLayout(5000);
    w.repaint();
    return w;
  }

  QPointF at(GraphWidget& w, const QString& id) {
    const auto p = w.nodeScreenPosition(id);
    return p.value_or(QPointF(-1, -1));
  }

 private slots:
  void init() { requireDisplay(); }
  void cleanup() { widget_.reset(); }

  void rendersWithOpenGL() {
    GraphWidget& w = makeFixed();
    if (!w.context() || !w.context()->isValid()) QSKIP("no OpenGL context available on this display");
    QVERIFY2(w.glError().isEmpty(), qPrintable(w.glError()));
    const auto fmt = w.context()->format();
    QVERIFY2(fmt.majorVersion() > 3 || (fmt.majorVersion() == 3 && fmt.minorVersion() >= 3),
             qPrintable(QString("GL %1.%2").arg(fmt.majorVersion()).arg(fmt.minorVersion())));
  }

  void screenshotShowsNodesInStatusColours() {
    GraphWidget& w = makeFixed();
    const QImage image = w.grabFramebuffer();
    QVERIFY(!image.isNull());
    QVERIFY(image.save(screenshotDir() + "/graphview_fixed.png"));
    const qreal dpr = image.devicePixelRatio();
    struct Expect {
      const char* id;
      NodeStatus status;
    };
    for (const Expect& e : {Expect{"a", NodeStatus::Healthy}, Expect{"b", NodeStatus::Critical},
                            Expect{"c", NodeStatus::Warning}}) {
      const QPointF p = at(w, e.id) * dpr;
      const QColor got = image.pixelColor(p.toPoint());
      const QColor want = NodeStyle::statusColor(e.status);
      QVERIFY2(near(got, want, 24), qPrintable(QString("node %1 at (%2,%3): got %4 want %5")
                                                   .arg(e.id).arg(p.x()).arg(p.y())
                                                   .arg(describe(got), describe(want))));
    }
    // Far from all nodes and edges: background.
    const QPointF empty = (at(w, "a") + QPointF(0, 120)) * dpr;
    QVERIFY2(near(image.pixelColor(empty.toPoint()), QColor(24, 28, 36), 6),
             qPrintable(describe(image.pixelColor(empty.toPoint()))));
    // On the a->b edge, halfway: brighter than the background.
    const QPointF mid = (at(w, "a") + at(w, "b")) / 2 * dpr;
    QVERIFY2(image.pixelColor(mid.toPoint()).lightness() > 60, qPrintable(describe(image.pixelColor(mid.toPoint()))));
  }

  void clickSelectsExactlyThatNode() {
    GraphWidget& w = makeFixed();
    QSignalSpy spy(&w, &GraphWidget::selectionChanged);
    for (const QString id : {"a", "b", "c"}) {
      QTest::mouseClick(&w, Qt::LeftButton, {}, at(w, id).toPoint());
      QCOMPARE(w.selectedIds(), QStringList{id});
    }
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.last().first().toStringList(), QStringList{"c"});
    // A click on empty space clears the selection.
    QTest::mouseClick(&w, Qt::LeftButton, {}, (at(w, "a") + QPointF(0, 120)).toPoint());
    QVERIFY(w.selectedIds().isEmpty());
    // Ctrl+click adds.
    QTest::mouseClick(&w, Qt::LeftButton, {}, at(w, "a").toPoint());
    QTest::mouseClick(&w, Qt::LeftButton, Qt::ControlModifier, at(w, "b").toPoint());
    QCOMPARE(w.selectedIds(), (QStringList{"a", "b"}));
  }

  void selectionIsDrawn() {
    GraphWidget& w = makeFixed();
    const QPointF a = at(w, "a");
    const QImage before = w.grabFramebuffer();
    w.setSelection({"a"});
    w.repaint();
    const QImage after = w.grabFramebuffer();
    const qreal dpr = after.devicePixelRatio();
    // The selection ring sits just outside the node: 12 world units * zoom + 3 px.
    const QPointF ring = (a + QPointF(0, -(12.0 * w.camera().zoom() + 3.0))) * dpr;
    QVERIFY2(after.pixelColor(ring.toPoint()).lightness() > before.pixelColor(ring.toPoint()).lightness() + 60,
             qPrintable(describe(after.pixelColor(ring.toPoint()))));
  }

  void rubberBandSelectsNodesInside() {
    GraphWidget& w = makeFixed();
    const QPointF a = at(w, "a");
    const QPointF b = at(w, "b");
    const QPoint from = (a + QPointF(-30, -30)).toPoint();
    const QPoint to = (b + QPointF(30, 30)).toPoint();
    QTest::mousePress(&w, Qt::LeftButton, Qt::ShiftModifier, from);
    QTest::mouseMove(&w, (from + to) / 2);
    QTest::mouseMove(&w, to);
    QTest::mouseRelease(&w, Qt::LeftButton, Qt::ShiftModifier, to);
    QCOMPARE(w.selectedIds(), (QStringList{"a", "b"}));
  }

  void keyboardNavigatesAndActivates() {
    GraphWidget& w = makeFixed();
    QSignalSpy activated(&w, &GraphWidget::nodeActivated);
    w.setSelection({"a"});
    QTest::keyClick(&w, Qt::Key_Right);
    QCOMPARE(w.selectedIds(), QStringList{"b"});
    QTest::keyClick(&w, Qt::Key_Down);
    QCOMPARE(w.selectedIds(), QStringList{"c"});
    QTest::keyClick(&w, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), QString("c"));
    QTest::keyClick(&w, Qt::Key_Escape);
    QVERIFY(w.selectedIds().isEmpty());
  }

  void doubleClickActivates() {
    GraphWidget& w = makeFixed();
    QSignalSpy activated(&w, &GraphWidget::nodeActivated);
    QTest::mouseDClick(&w, Qt::LeftButton, {}, at(w, "b").toPoint());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), QString("b"));
  }

  void hoverReportsNode() {
    GraphWidget& w = makeFixed();
    QSignalSpy hovered(&w, &GraphWidget::hoveredChanged);
    QTest::mouseMove(&w, at(w, "c").toPoint());
    QTRY_COMPARE(w.hoveredId(), QString("c"));
    QVERIFY(hovered.count() >= 1);
  }

  void searchDimsNonMatching() {
    GraphWidget& w = makeFixed();
    const QPointF b = at(w, "b");
    const QImage before = w.grabFramebuffer();
    w.setSearchPredicate([](const VisibleNode& n) { return n.label.startsWith("al"); });
    w.repaint();
    const QImage after = w.grabFramebuffer();
    const qreal dpr = after.devicePixelRatio();
    const QColor was = before.pixelColor((b * dpr).toPoint());
    const QColor now = after.pixelColor((b * dpr).toPoint());
    QVERIFY2(now.lightness() < was.lightness() - 30, qPrintable(describe(was) + " -> " + describe(now)));
    // The match keeps its colour.
    const QPointF a = at(w, "a") * dpr;
    QVERIFY(near(after.pixelColor(a.toPoint()), NodeStyle::statusColor(NodeStatus::Healthy), 24));
  }

  void wheelZoomsAroundCursor() {
    GraphWidget& w = makeFixed();
    const QPointF b = at(w, "b");
    const float zoom = w.camera().zoom();
    QWheelEvent wheel(b, w.mapToGlobal(b), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&w, &wheel);
    QVERIFY(w.camera().zoom() > zoom * 1.2f);
    // The node under the cursor stays under the cursor.
    QVERIFY((at(w, "b") - b).manhattanLength() < 1.0);
  }

  void collapseAndExpandGroup() {
    widget_ = std::make_unique<GraphWidget>();
    GraphWidget& w = *widget_;
    w.resize(400, 300);
    TopologySpec spec;
    spec.targetNodes = 200;
    TopologyGenerator generator(spec);
    QVERIFY(w.applyDelta(generator.generate()).ok());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.waitForLayout(30000));
    const int all = w.layoutThread().snapshot()->graph->nodeCount();
    QCOMPARE(all, 200);
    QVERIFY(w.collapseGroup("host-0").ok());
    QVERIFY(w.waitForLayout(30000));
    auto snap = w.layoutThread().snapshot();
    const int host = snap->graph->find("host-0");
    QVERIFY(host >= 0);
    QVERIFY(snap->graph->nodes[host].collapsed);
    QCOMPARE(snap->graph->nodeCount(), all - snap->graph->nodes[host].hiddenCount);
    QVERIFY(w.expandGroup("host-0").ok());
    QVERIFY(w.waitForLayout(30000));
    QCOMPARE(w.layoutThread().snapshot()->graph->nodeCount(), all);
  }

  void screenshotOfGeneratedTopology() {
    widget_ = std::make_unique<GraphWidget>();
    GraphWidget& w = *widget_;
    w.resize(1000, 700);
    TopologySpec spec;
    spec.targetNodes = 400;
    TopologyGenerator generator(spec);
    QVERIFY(w.applyDelta(generator.generate()).ok());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.waitForLayout(60000));
    w.setSelection({"host-0"});
    w.repaint();
    const QImage image = w.grabFramebuffer();
    QVERIFY(image.save(screenshotDir() + "/graphview_topology.png"));
    // Every node centre shows a non-background colour.
    auto snap = w.layoutThread().snapshot();
    const qreal dpr = image.devicePixelRatio();
    int coloured = 0;
    for (int i = 0; i < snap->graph->nodeCount(); ++i) {
      const QPointF p = *w.nodeScreenPosition(snap->graph->nodes[i].id) * dpr;
      if (!near(image.pixelColor(p.toPoint()), QColor(24, 28, 36), 10)) ++coloured;
    }
    QVERIFY2(coloured > snap->graph->nodeCount() * 95 / 100,
             qPrintable(QString("%1 of %2 node centres coloured").arg(coloured).arg(snap->graph->nodeCount())));
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
      qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");  // every test then skips with the reason
  }
  QApplication app(argc, argv);
  GraphWidgetTest test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}

#include "graph_widget_test.moc"
