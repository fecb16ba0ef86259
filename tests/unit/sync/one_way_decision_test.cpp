// One-way reconciliation (decideOneWay), sequential-name suffixes and the path filter (the
// sequence counter rule itself: sequence_counter_test.cpp).
#include <QtTest/QtTest>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/sync/node_decision.h"
#include "core/sync/path_filter.h"
#include "core/sync/sequence_counter.h"

using namespace orch::core::sync;

Q_DECLARE_METATYPE(NodeAction::Type)

namespace {

// "-" absent; "p:data", "e:data" (ephemeral), "c:data" (container), "a:data" (other ACL).
std::optional<ZnodeRecord> node(const QString& spec) {
  if (spec == "-") return std::nullopt;
  ZnodeRecord r;
  r.path = "/x";
  r.data = spec.mid(2).toStdString();
  r.acl = {AclRecord{31, "world", "anyone"}};
  switch (spec[0].toLatin1()) {
    case 'e': r.kind = ZnodeKind::kEphemeral; break;
    case 'c': r.kind = ZnodeKind::kContainer; break;
    case 'a': r.acl = {AclRecord{1, "world", "anyone"}}; break;
    default: break;
  }
  return r;
}

}  // namespace

class OneWayDecisionTest : public QObject {
  Q_OBJECT

 private slots:
  void decideOneWay_data() {
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<NodeAction::Type>("type");
    QTest::addColumn<bool>("set_data");
    QTest::addColumn<bool>("set_acl");
    QTest::newRow("equal") << "p:v" << "p:v" << NodeAction::Type::kNone << false << false;
    QTest::newRow("both absent") << "-" << "-" << NodeAction::Type::kNone << false << false;
    QTest::newRow("create") << "p:v" << "-" << NodeAction::Type::kCreate << false << false;
    QTest::newRow("delete") << "-" << "p:v" << NodeAction::Type::kDelete << false << false;
    QTest::newRow("B's ephemeral is left alone") << "-" << "e:v" << NodeAction::Type::kNone << false << false;
    QTest::newRow("A's ephemeral is skipped") << "e:v" << "-" << NodeAction::Type::kSkip << false << false;
    QTest::newRow("data differs") << "p:v2" << "p:v1" << NodeAction::Type::kUpdate << true << false;
    QTest::newRow("acl differs") << "a:v" << "p:v" << NodeAction::Type::kUpdate << false << true;
    QTest::newRow("kind differs") << "c:v" << "p:v" << NodeAction::Type::kRecreate << false << false;
    QTest::newRow("B ephemeral where A persistent") << "p:v" << "e:v" << NodeAction::Type::kRecreate << false << false;
  }
  void decideOneWay() {
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(NodeAction::Type, type);
    QFETCH(bool, set_data);
    QFETCH(bool, set_acl);
    const NodeAction act = orch::core::sync::decideOneWay(node(a), node(b));
    QCOMPARE(nodeActionName(act.type), nodeActionName(type));
    QCOMPARE(act.set_data, set_data);
    QCOMPARE(act.set_acl, set_acl);
  }

  void sequenceSuffix_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("suffix");  // -1 = none
    QTest::newRow("lock") << "lock-0000000042" << qint64(42);
    QTest::newRow("zero") << "n0000000000" << qint64(0);
    QTest::newRow("nine digits") << "lock-000000042" << qint64(-1);
    QTest::newRow("eleven digits after a digit") << "x10000000042" << qint64(-1);
    QTest::newRow("empty prefix") << "0000000042" << qint64(42);
    QTest::newRow("plain name") << "config" << qint64(-1);
  }
  void sequenceSuffix() {
    QFETCH(QString, name);
    QFETCH(qint64, suffix);
    auto s = orch::core::sync::sequenceSuffix(name.toStdString());
    QCOMPARE(s ? qint64(*s) : qint64(-1), suffix);
  }

  void pathFilter_data() {
    QTest::addColumn<QStringList>("roots");
    QTest::addColumn<QStringList>("excludes");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("included");
    QTest::newRow("root itself") << QStringList{"/mesos"} << QStringList{} << "/mesos" << true;
    QTest::newRow("below root") << QStringList{"/mesos"} << QStringList{} << "/mesos/a/b" << true;
    QTest::newRow("sibling prefix") << QStringList{"/mesos"} << QStringList{} << "/mesosx" << false;
    QTest::newRow("excluded") << QStringList{"/"} << QStringList{"/tmp"} << "/tmp/x" << false;
    QTest::newRow("zookeeper never") << QStringList{"/"} << QStringList{} << "/zookeeper/quota" << false;
    QTest::newRow("engine's bump node") << QStringList{"/"} << QStringList{} << "/a/.orch-sync-seq-bump" << false;
    QTest::newRow("whole tree") << QStringList{"/"} << QStringList{} << "/a" << true;
  }
  void pathFilter() {
    QFETCH(QStringList, roots);
    QFETCH(QStringList, excludes);
    QFETCH(QString, path);
    QFETCH(bool, included);
    std::vector<std::string> r, e;
    for (const auto& s : roots) r.push_back(s.toStdString());
    for (const auto& s : excludes) e.push_back(s.toStdString());
    auto f = PathFilter::create(r, e);
    QVERIFY(f.ok());
    QCOMPARE(f->includes(path.toStdString()), included);
  }

  void pathFilterRejectsBadPaths() {
    QVERIFY(!PathFilter::create({"relative"}).ok());
    QVERIFY(!PathFilter::create({"/a//b"}).ok());
    QVERIFY(!PathFilter::create({"/a"}, {"/a/../b"}).ok());
  }

  // A subtree's keys are not contiguous in byte order: "/a-b" and "/a.x" sort between "/a" and
  // "/a/b". Erasing "/a" must take "/a/b" and "/a/b/c" and leave the siblings.
  void eraseAtOrBelowSkipsSiblingsThatSortInside() {
    std::map<std::string, int> m{{"/", 0}, {"/a", 1}, {"/a-b", 2}, {"/a.x", 3}, {"/a/b", 4}, {"/a/b/c", 5}, {"/ab", 6}, {"/b", 7}};
    std::vector<std::string> seen;
    forEachAtOrBelow(m, "/a", [&](const std::string& k, int) { seen.push_back(k); });
    QCOMPARE(seen, (std::vector<std::string>{"/a", "/a/b", "/a/b/c"}));
    QCOMPARE(eraseAtOrBelow(m, "/a"), std::size_t(3));
    QCOMPARE(m.size(), std::size_t(5));
    QVERIFY(m.count("/a-b") && m.count("/a.x") && m.count("/ab") && m.count("/b") && m.count("/"));
    QCOMPARE(eraseAtOrBelow(m, "/"), std::size_t(5));
    QVERIFY(m.empty());
  }
};

QTEST_APPLESS_MAIN(OneWayDecisionTest)
#include "one_way_decision_test.moc"
