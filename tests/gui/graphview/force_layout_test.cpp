// Layout sanity: Barnes–Hut accuracy, no NaN, energy decreases, overlapping nodes separate,
// connected nodes end closer than unconnected ones, placement of new nodes, convergence.
#include "layout/barnes_hut_tree.h"
#include "layout/force_directed_layout.h"
#include "layout/layout_factory.h"
#include "layout/node_positions.h"
#include "model/graph_model.h"
#include "model/topology_generator.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace orch::graphview;

namespace {

NodeData node(const QString& id, const QString& parent = {}) {
  return NodeData{id, id, NodeKind::Process, NodeStatus::Healthy, 1.0f, parent};
}

// Runs the layout until it reports Finished or `limit` iterations pass; returns iterations run.
int runToSettle(Layout& layout, const VisibleGraph& g, NodePositions& pos, int limit) {
  int k = 0;
  while (!layout.finished() && k < limit) {
    layout.step(g, pos);
    ++k;
  }
  return k;
}

bool allFinite(const NodePositions& pos) {
  for (const QVector2D& p : pos.data()) {
    if (!std::isfinite(p.x()) || !std::isfinite(p.y())) return false;
  }
  return true;
}

struct Prepared {
  GraphModel model;
  std::shared_ptr<const VisibleGraph> graph;
  NodePositions positions;
  ForceDirectedLayout layout;
};

void prepare(Prepared& p, const GraphDelta& delta) {
  const ApplyReport r = p.model.apply(delta);
  Q_ASSERT(r.ok());
  p.graph = p.model.project();
  const AdoptResult a = p.positions.adopt(nullptr, *p.graph, 40.0f);
  p.layout.remap(a.oldIndexOf);
  p.layout.reheat(*p.graph, a.changed);
}

}  // namespace

class ForceLayoutTest : public QObject {
  Q_OBJECT

 private slots:
  void barnesHutMatchesBruteForce() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> coord(-500.0f, 500.0f);
    std::vector<QVector2D> pts(2000);
    for (QVector2D& p : pts) p = QVector2D(coord(rng), coord(rng));
    BarnesHutTree tree;
    tree.build(pts);
    QVERIFY(tree.cellCount() > 1);
    double worst = 0.0;
    for (int i = 0; i < 2000; i += 97) {
      QVector2D exact;
      for (int j = 0; j < 2000; ++j) {
        if (j == i) continue;
        const QVector2D d = pts[i] - pts[j];
        exact += d / QVector2D::dotProduct(d, d);
      }
      const QVector2D approx = tree.repulsion(i, pts, 0.5f);
      worst = std::max(worst, double((approx - exact).length() / std::max(1e-6f, exact.length())));
      // theta = 0 degenerates to the exact sum.
      const QVector2D full = tree.repulsion(i, pts, 0.0f);
      QVERIFY((full - exact).length() <= 1e-3f * std::max(1.0f, exact.length()));
    }
    QVERIFY2(worst < 0.1, qPrintable(QString("relative error %1").arg(worst)));
  }

  void coincidentPointsGetOpposingForces() {
    std::vector<QVector2D> pts = {QVector2D(1, 1), QVector2D(1, 1)};
    BarnesHutTree tree;
    tree.build(pts);
    const QVector2D a = tree.repulsion(0, pts, 0.9f);
    const QVector2D b = tree.repulsion(1, pts, 0.9f);
    QVERIFY(a.length() > 0.0f);
    QVERIFY((a + b).length() < 1e-4f);
  }

  void noNanAndEnergyDecreases() {
    Prepared p;
    GraphDelta d;
    std::mt19937 rng(3);
    for (int i = 0; i < 120; ++i) d.addNode(node(QString("n%1").arg(i)));
    for (int i = 1; i < 120; ++i) {
      d.addEdge({{}, QString("n%1").arg(i), QString("n%1").arg(std::uniform_int_distribution<int>(0, i - 1)(rng)), 1.0f, 0.0f});
    }
    prepare(p, d);
    // Scramble: a random start far from equilibrium.
    std::uniform_real_distribution<float> coord(-300.0f, 300.0f);
    for (int i = 0; i < p.positions.size(); ++i) p.positions.set(i, QVector2D(coord(rng), coord(rng)));
    const double before = p.layout.energy(*p.graph, p.positions);
    double previousCheckpoint = before;
    for (int round = 0; round < 4; ++round) {
      for (int k = 0; k < 25; ++k) p.layout.step(*p.graph, p.positions);
      QVERIFY(allFinite(p.positions));
      const double now = p.layout.energy(*p.graph, p.positions);
      QVERIFY2(std::isfinite(now), "energy is not finite");
      if (round == 0) {
        QVERIFY2(now < before, qPrintable(QString("energy %1 -> %2").arg(before).arg(now)));
      }
      // Overall trend is downward: never rises by more than 1% of the initial drop.
      QVERIFY2(now <= previousCheckpoint + 0.01 * std::abs(before - now),
               qPrintable(QString("energy rose %1 -> %2").arg(previousCheckpoint).arg(now)));
      previousCheckpoint = now;
    }
  }

  void overlappingNodesSeparate() {
    Prepared p;
    GraphDelta d;
    for (int i = 0; i < 10; ++i) d.addNode(node(QString("n%1").arg(i)));
    prepare(p, d);
    for (int i = 0; i < p.positions.size(); ++i) p.positions.set(i, QVector2D(5.0f, 5.0f));
    p.layout.reheatAll(p.graph->nodeCount());
    runToSettle(p.layout, *p.graph, p.positions, 2000);
    QVERIFY(allFinite(p.positions));
    float closest = 1e9f;
    for (int i = 0; i < p.positions.size(); ++i) {
      for (int j = i + 1; j < p.positions.size(); ++j) {
        closest = std::min(closest, (p.positions.get(i) - p.positions.get(j)).length());
      }
    }
    // Rest length is 40; unconnected nodes must end well apart.
    QVERIFY2(closest > 20.0f, qPrintable(QString("closest pair %1").arg(closest)));
  }

  void connectedNodesEndCloser() {
    Prepared p;
    GraphDelta d;
    // Two rings of 12 nodes, not connected to each other.
    for (int ring = 0; ring < 2; ++ring) {
      for (int i = 0; i < 12; ++i) d.addNode(node(QString("r%1n%2").arg(ring).arg(i)));
      for (int i = 0; i < 12; ++i) {
        d.addEdge({{}, QString("r%1n%2").arg(ring).arg(i), QString("r%1n%2").arg(ring).arg((i + 1) % 12), 1.0f, 0.0f});
      }
    }
    prepare(p, d);
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> coord(-200.0f, 200.0f);
    for (int i = 0; i < p.positions.size(); ++i) p.positions.set(i, QVector2D(coord(rng), coord(rng)));
    p.layout.reheatAll(p.graph->nodeCount());
    runToSettle(p.layout, *p.graph, p.positions, 3000);
    QVERIFY(allFinite(p.positions));
    double connected = 0.0;
    int nc = 0;
    for (const VisibleEdge& e : p.graph->edges) {
      connected += (p.positions.get(e.source) - p.positions.get(e.target)).length();
      ++nc;
    }
    double unconnected = 0.0;
    int nu = 0;
    for (int i = 0; i < 12; ++i) {
      for (int j = 12; j < 24; ++j) {
        unconnected += (p.positions.get(i) - p.positions.get(j)).length();
        ++nu;
      }
    }
    connected /= nc;
    unconnected /= nu;
    QVERIFY2(connected < 0.75 * unconnected,
             qPrintable(QString("connected %1 vs unconnected %2").arg(connected).arg(unconnected)));
  }

  void settlesAndReportsFinished() {
    Prepared p;
    TopologySpec spec;
    spec.targetNodes = 1000;
    TopologyGenerator gen(spec);
    prepare(p, gen.generate());
    const int iterations = runToSettle(p.layout, *p.graph, p.positions, 5000);
    QVERIFY2(p.layout.finished(), qPrintable(QString("not finished after %1").arg(iterations)));
    QVERIFY(iterations < 2000);
    QVERIFY(allFinite(p.positions));
    // A finished layout does not move anything.
    const std::vector<QVector2D> before = p.positions.data();
    p.layout.step(*p.graph, p.positions);
    QVERIFY(p.positions.data() == before);
  }

  void adoptKeepsPlacesAndPlacesNewNodesNearParent() {
    Prepared p;
    TopologySpec spec;
    spec.targetNodes = 1000;
    TopologyGenerator gen(spec);
    prepare(p, gen.generate());
    runToSettle(p.layout, *p.graph, p.positions, 3000);
    const auto oldGraph = p.graph;
    const NodePositions oldPositions = p.positions;

    // Add a process under an existing container and remove an unrelated process.
    QString container;
    QString victim;
    for (const NodeData& n : p.model.nodes()) {
      if (n.kind == NodeKind::Container && container.isEmpty()) container = n.id;
      if (n.kind == NodeKind::Process && n.parentId != container) victim = n.id;
    }
    GraphDelta d;
    d.addNode(node("fresh", container));
    d.removeNode(victim);
    QVERIFY(p.model.apply(d).ok());
    p.graph = p.model.project();
    const AdoptResult a = p.positions.adopt(oldGraph.get(), *p.graph, 40.0f);
    QCOMPARE(a.added, 1);
    for (int i = 0; i < p.graph->nodeCount(); ++i) {
      const int o = a.oldIndexOf[i];
      if (p.graph->nodes[i].id == "fresh") {
        QCOMPARE(o, -1);
        const QVector2D parentPos = p.positions.get(p.graph->find(container));
        QVERIFY((p.positions.get(i) - parentPos).length() < 80.0f);
      } else {
        QVERIFY(o >= 0);
        QCOMPARE(p.positions.get(i), oldPositions.get(o));
      }
    }
    QVERIFY(std::find(a.changed.begin(), a.changed.end(), p.graph->find("fresh")) != a.changed.end());
    QVERIFY(std::find(a.changed.begin(), a.changed.end(), p.graph->find(container)) != a.changed.end());
    // Local reheat: only the neighbourhood moves; the far graph stays put.
    p.layout.remap(a.oldIndexOf);
    p.layout.reheat(*p.graph, a.changed);
    QCOMPARE(p.layout.phase(), LayoutPhase::Initial);
    p.layout.step(*p.graph, p.positions);
    QVERIFY2(p.layout.lastActiveCount() < p.graph->nodeCount() / 4,
             qPrintable(QString("%1 active of %2").arg(p.layout.lastActiveCount()).arg(p.graph->nodeCount())));
    runToSettle(p.layout, *p.graph, p.positions, 3000);
    QVERIFY(p.layout.finished());
  }

  void pinnedNodesDoNotMove() {
    Prepared p;
    GraphDelta d;
    d.addNode(node("a"));
    d.addNode(node("b"));
    d.addEdge({{}, "a", "b", 1.0f, 0.0f});
    prepare(p, d);
    p.positions.set(0, QVector2D(100, 100));
    p.positions.setPinned(0, true);
    p.layout.reheatAll(2);
    runToSettle(p.layout, *p.graph, p.positions, 500);
    QCOMPARE(p.positions.get(0), QVector2D(100, 100));
    const float d01 = (p.positions.get(1) - p.positions.get(0)).length();
    QVERIFY2(d01 < 100.0f, qPrintable(QString::number(d01)));
  }

  void factoryAndSettings() {
    QCOMPARE(LayoutFactory::names().first(), QString("force-directed"));
    QVERIFY(LayoutFactory::create("nope") == nullptr);
    auto layout = LayoutFactory::create("force-directed");
    QVERIFY(layout != nullptr);
    QCOMPARE(layout->settings().value("RestLength"), 40.0f);
    QVERIFY(layout->settings().setValue("RestLength", 60.0f).isEmpty());
    QCOMPARE(layout->settings().value("RestLength"), 60.0f);
    QCOMPARE(layout->settings().setValue("RestLength", -1.0f),
             QString("layout setting 'RestLength' = -1 is outside [5, 500]"));
    QCOMPARE(layout->settings().setValue("Bogus", 1.0f), QString("unknown layout setting 'Bogus'"));
    QVERIFY(LayoutFactory::create("static")->finished());
  }
};

QTEST_APPLESS_MAIN(ForceLayoutTest)
#include "force_layout_test.moc"
