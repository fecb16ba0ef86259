// Delta application and group collapse/expand on GraphModel.
#include "model/graph_model.h"

#include <QtTest>

using namespace orch::graphview;

namespace {

NodeData node(const QString& id, const QString& parent = {}, NodeKind kind = NodeKind::Process) {
  return NodeData{id, id, kind, NodeStatus::Healthy, 1.0f, parent};
}

EdgeData edge(const QString& s, const QString& t, float traffic = 0.0f) {
  return EdgeData{{}, s, t, 1.0f, traffic};
}

// host h1 -> containers c1, c2 -> processes p1 (c1), p2 (c1), p3 (c2); host h2 -> c3 -> p4.
GraphModel fixture() {
  GraphModel model;
  GraphDelta d;
  d.addNode(node("h1", {}, NodeKind::Host));
  d.addNode(node("c1", "h1", NodeKind::Container));
  d.addNode(node("c2", "h1", NodeKind::Container));
  d.addNode(node("p1", "c1"));
  d.addNode(node("p2", "c1"));
  d.addNode(node("p3", "c2"));
  d.addNode(node("h2", {}, NodeKind::Host));
  d.addNode(node("c3", "h2", NodeKind::Container));
  d.addNode(node("p4", "c3"));
  d.addEdge(edge("p1", "p3", 0.5f));
  d.addEdge(edge("p2", "p3", 0.25f));
  d.addEdge(edge("p1", "p4", 1.0f));
  const ApplyReport r = model.apply(d);
  Q_ASSERT(r.ok());
  return model;
}

}  // namespace

class GraphModelTest : public QObject {
  Q_OBJECT

 private slots:
  void addsNodesAndEdges() {
    GraphModel model = fixture();
    QCOMPARE(model.nodeCount(), 9);
    QCOMPARE(model.edgeCount(), 3);
    QVERIFY(model.node("p3") != nullptr);
    QCOMPARE(model.node("p3")->parentId, QString("c2"));
    QVERIFY(model.edge("p1->p3") != nullptr);
    QCOMPARE(model.children("h1"), QStringList({"c1", "c2"}));
  }

  void updateKeepsTopologyVersion() {
    GraphModel model = fixture();
    const auto topo = model.topologyVersion();
    const auto version = model.version();
    GraphDelta d;
    NodeData changed = node("p1", "c1");
    changed.status = NodeStatus::Critical;
    changed.metric = 7.0f;
    d.updateNode(changed);
    EdgeData e = edge("p1", "p3", 0.9f);
    e.id = "p1->p3";
    d.updateEdge(e);
    const ApplyReport r = model.apply(d);
    QVERIFY2(r.ok(), qPrintable(r.errors.join("; ")));
    QCOMPARE(r.applied, 2);
    QVERIFY(!r.topologyChanged);
    QCOMPARE(model.topologyVersion(), topo);
    QCOMPARE(model.version(), version + 1);
    QCOMPARE(model.node("p1")->status, NodeStatus::Critical);
    QCOMPARE(model.edge("p1->p3")->traffic, 0.9f);
  }

  void removeNodeDropsIncidentEdges() {
    GraphModel model = fixture();
    GraphDelta d;
    d.removeNode("p3");
    const ApplyReport r = model.apply(d);
    QVERIFY(r.ok());
    QVERIFY(r.topologyChanged);
    QCOMPARE(model.nodeCount(), 8);
    QCOMPARE(model.edgeCount(), 1);
    QVERIFY(model.edge("p1->p4") != nullptr);
    QVERIFY(model.node("p3") == nullptr);
    // Indices stay consistent after swap-removal: every remaining id is found.
    for (const QString& id : QStringList{"h1", "c1", "c2", "p1", "p2", "h2", "c3", "p4"}) {
      QVERIFY2(model.node(id) != nullptr, qPrintable(id));
      QCOMPARE(model.node(id)->id, QString(id));
    }
  }

  void batchAppliesInDocumentedOrder() {
    // Removing a node and adding it back in one batch works: removals apply before additions.
    GraphModel model = fixture();
    GraphDelta d;
    d.removeNode("p2");
    d.addNode(node("p2", "c2"));
    d.addEdge(edge("p2", "p4"));  // edges are added after nodes
    const ApplyReport r = model.apply(d);
    QVERIFY2(r.ok(), qPrintable(r.errors.join("; ")));
    QCOMPARE(model.node("p2")->parentId, QString("c2"));
    QVERIFY(model.edge("p2->p4") != nullptr);
    QVERIFY(model.edge("p2->p3") == nullptr);
  }

  void rejectsBadEntries_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expectedError");
    QTest::newRow("duplicate node") << 0 << "cannot add node 'p1': it already exists";
    QTest::newRow("update unknown node") << 1 << "cannot update node 'zz': no such node";
    QTest::newRow("remove unknown node") << 2 << "cannot remove node 'zz': no such node";
    QTest::newRow("edge unknown target") << 3 << "cannot add: edge 'p1->zz' has unknown target node 'zz'";
    QTest::newRow("self loop") << 4 << "cannot add: edge 'p1->p1' is a self-loop on 'p1'";
    QTest::newRow("bad weight") << 5 << "cannot add: edge 'p2->p1' has weight -1; it must be finite and > 0";
    QTest::newRow("empty id") << 6 << "cannot add: node with label 'x' has an empty id";
    QTest::newRow("negative metric") << 7 << "cannot add: node 'n' has metric -2; it must be finite and >= 0";
    QTest::newRow("remove unknown edge") << 8 << "cannot remove edge 'a->b': no such edge";
  }

  void rejectsBadEntries() {
    QFETCH(int, kind);
    QFETCH(QString, expectedError);
    GraphModel model = fixture();
    const auto version = model.version();
    GraphDelta d;
    switch (kind) {
      case 0: d.addNode(node("p1")); break;
      case 1: d.updateNode(node("zz")); break;
      case 2: d.removeNode("zz"); break;
      case 3: d.addEdge(edge("p1", "zz")); break;
      case 4: d.addEdge(edge("p1", "p1")); break;
      case 5: d.addEdge(EdgeData{{}, "p2", "p1", -1.0f, 0.0f}); break;
      case 6: d.addNode(NodeData{{}, "x", NodeKind::Host, NodeStatus::Healthy, 0.0f, {}}); break;
      case 7: d.addNode(NodeData{"n", "n", NodeKind::Host, NodeStatus::Healthy, -2.0f, {}}); break;
      case 8: d.removeEdge("a->b"); break;
    }
    d.addNode(node("good"));  // the valid part of a batch still applies
    const ApplyReport r = model.apply(d);
    QCOMPARE(r.errors, QStringList{expectedError});
    QCOMPARE(r.applied, 1);
    QVERIFY(model.node("good") != nullptr);
    QCOMPARE(model.version(), version + 1);
  }

  void projectionWithoutCollapse() {
    GraphModel model = fixture();
    const auto g = model.project();
    QCOMPARE(g->nodeCount(), 9);
    // 7 containment edges + 3 connections.
    QCOMPARE(g->edgeCount(), 10);
    const int c1 = g->find("c1");
    QCOMPARE(g->nodes[c1].parent, g->find("h1"));
    QCOMPARE(g->nodes[g->find("h1")].parent, -1);
    QCOMPARE(g->degree(g->find("h1")), 2);
    QCOMPARE(g->degree(g->find("p1")), 3);  // parent c1 + p3 + p4
  }

  void collapseFoldsDescendantsAndMergesEdges() {
    GraphModel model = fixture();
    QVERIFY(model.collapse("h1").ok());
    QVERIFY(model.isCollapsed("h1"));
    const auto g = model.project();
    QCOMPARE(g->nodeCount(), 4);  // h1, h2, c3, p4
    QCOMPARE(g->find("p1"), -1);
    const int h1 = g->find("h1");
    QVERIFY(g->nodes[h1].collapsed);
    QCOMPARE(g->nodes[h1].hiddenCount, 5);
    // p1->p3 and p2->p3 fall inside h1 and vanish; p1->p4 becomes h1->p4.
    int connections = 0;
    for (const VisibleEdge& e : g->edges) {
      if (e.containment) continue;
      ++connections;
      QCOMPARE(e.source, h1);
      QCOMPARE(e.target, g->find("p4"));
      QCOMPARE(e.traffic, 1.0f);
    }
    QCOMPARE(connections, 1);
  }

  void collapseMergesParallelEdges() {
    GraphModel model = fixture();
    QVERIFY(model.collapse("c1").ok());
    const auto g = model.project();
    const int c1 = g->find("c1");
    const int p3 = g->find("p3");
    int merged = 0;
    for (const VisibleEdge& e : g->edges) {
      if (!e.containment && e.source == c1 && e.target == p3) {
        ++merged;
        QCOMPARE(e.traffic, 0.75f);  // 0.5 + 0.25
      }
    }
    QCOMPARE(merged, 1);
  }

  void nestedCollapseUsesTopmostGroup() {
    GraphModel model = fixture();
    QVERIFY(model.collapse("c1").ok());
    QVERIFY(model.collapse("h1").ok());
    auto g = model.project();
    QCOMPARE(g->nodes[g->find("h1")].hiddenCount, 5);
    QVERIFY(model.expand("h1").ok());
    g = model.project();
    // c1 is still collapsed: its processes stay hidden, c2's come back.
    QVERIFY(g->find("c1") >= 0);
    QCOMPARE(g->find("p1"), -1);
    QVERIFY(g->find("p3") >= 0);
    QCOMPARE(g->nodes[g->find("c1")].hiddenCount, 2);
  }

  void groupErrors() {
    GraphModel model = fixture();
    QCOMPARE(model.collapse("nope").error, QString("cannot collapse 'nope': no such node"));
    QCOMPARE(model.collapse("p1").error, QString("cannot collapse 'p1': it has no children"));
    QCOMPARE(model.expand("h1").error, QString("cannot expand 'h1': it is not collapsed"));
  }

  void parentCycleDoesNotHang() {
    GraphModel model;
    GraphDelta d;
    d.addNode(node("a", "b"));
    d.addNode(node("b", "a"));
    QVERIFY(model.apply(d).ok());
    QVERIFY(model.collapse("a").ok());
    const auto g = model.project();
    QVERIFY(g->nodeCount() >= 1);
  }
};

QTEST_APPLESS_MAIN(GraphModelTest)
#include "graph_model_test.moc"
