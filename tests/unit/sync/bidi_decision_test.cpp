// decideBidirectional: which side changed since the baseline, and how each strategy settles a
// conflict; parseConflictStrategy.
#include <QtTest/QtTest>

#include "core/sync/conflict_resolver.h"

using namespace orch::core::sync;

Q_DECLARE_METATYPE(ConflictStrategy)
Q_DECLARE_METATYPE(BidiAction)

namespace {

Digest content(const char* s) { return Sha256::of(s); }

// "-" = absent, otherwise the node's content.
SideView side(const QString& v, qint64 mtime) {
  if (v == "-") return SideView{};
  return SideView{true, content(v.toUtf8().constData()), mtime};
}

}  // namespace

class BidiDecisionTest : public QObject {
  Q_OBJECT

 private slots:
  void decides_data() {
    QTest::addColumn<QString>("a");
    QTest::addColumn<qint64>("a_mtime");
    QTest::addColumn<QString>("b");
    QTest::addColumn<qint64>("b_mtime");
    QTest::addColumn<QString>("base");  // "?" = no baseline, "-" = both lacked it, else content
    QTest::addColumn<ConflictStrategy>("strategy");
    QTest::addColumn<BidiAction>("action");
    QTest::addColumn<bool>("conflict");

    const auto lww = ConflictStrategy::kLastWriteWins;
    const auto src = ConflictStrategy::kSourceWins;
    const auto man = ConflictStrategy::kManual;
    // Equal sides: nothing to do (this is how the echo of our own write ends).
    QTest::newRow("equal") << "v1" << 10LL << "v1" << 20LL << "v0" << lww << BidiAction::kNone << false;
    QTest::newRow("both absent") << "-" << 0LL << "-" << 0LL << "v0" << man << BidiAction::kNone << false;
    QTest::newRow("echo after copy") << "v2" << 10LL << "v2" << 11LL << "v2" << man << BidiAction::kNone << false;
    // One side changed.
    QTest::newRow("A updated") << "v2" << 10LL << "v1" << 5LL << "v1" << man << BidiAction::kCopyAToB << false;
    QTest::newRow("B updated") << "v1" << 5LL << "v2" << 10LL << "v1" << man << BidiAction::kCopyBToA << false;
    QTest::newRow("A created") << "v1" << 5LL << "-" << 0LL << "-" << man << BidiAction::kCopyAToB << false;
    QTest::newRow("B created") << "-" << 0LL << "v1" << 5LL << "-" << src << BidiAction::kCopyBToA << false;
    QTest::newRow("A deleted") << "-" << 0LL << "v1" << 5LL << "v1" << man << BidiAction::kCopyAToB << false;
    QTest::newRow("B deleted") << "v1" << 5LL << "-" << 0LL << "v1" << src << BidiAction::kCopyBToA << false;
    // First sight (no baseline): the present side is copied; two different nodes conflict.
    QTest::newRow("first sight A only") << "v1" << 5LL << "-" << 0LL << "?" << man << BidiAction::kCopyAToB << false;
    QTest::newRow("first sight B only") << "-" << 0LL << "v1" << 5LL << "?" << man << BidiAction::kCopyBToA << false;
    QTest::newRow("first sight differ lww B newer") << "a" << 5LL << "b" << 9LL << "?" << lww << BidiAction::kCopyBToA << true;
    // Both changed since the baseline: conflicts.
    QTest::newRow("lww A newer") << "a" << 20LL << "b" << 10LL << "v0" << lww << BidiAction::kCopyAToB << true;
    QTest::newRow("lww B newer") << "a" << 10LL << "b" << 20LL << "v0" << lww << BidiAction::kCopyBToA << true;
    QTest::newRow("lww tie goes to A") << "a" << 10LL << "b" << 10LL << "v0" << lww << BidiAction::kCopyAToB << true;
    QTest::newRow("lww update beats delete on B") << "a" << 10LL << "-" << 0LL << "v0" << lww << BidiAction::kCopyAToB << true;
    QTest::newRow("lww update beats delete on A") << "-" << 0LL << "b" << 1LL << "v0" << lww << BidiAction::kCopyBToA << true;
    QTest::newRow("source wins") << "a" << 1LL << "b" << 99LL << "v0" << src << BidiAction::kCopyAToB << true;
    QTest::newRow("source wins delete") << "-" << 0LL << "b" << 99LL << "v0" << src << BidiAction::kCopyAToB << true;
    QTest::newRow("manual holds") << "a" << 1LL << "b" << 2LL << "v0" << man << BidiAction::kHold << true;
    QTest::newRow("manual both created") << "a" << 1LL << "b" << 2LL << "-" << man << BidiAction::kHold << true;
  }
  void decides() {
    QFETCH(QString, a);
    QFETCH(qint64, a_mtime);
    QFETCH(QString, b);
    QFETCH(qint64, b_mtime);
    QFETCH(QString, base);
    QFETCH(ConflictStrategy, strategy);
    QFETCH(BidiAction, action);
    QFETCH(bool, conflict);
    SyncBaseline bl;
    if (base != "?") {
      bl.known = true;
      bl.existed = base != "-";
      if (bl.existed) bl.content = content(base.toUtf8().constData());
    }
    const BidiDecision d = decideBidirectional(side(a, a_mtime), side(b, b_mtime), bl, strategy);
    QCOMPARE(bidiActionName(d.action), bidiActionName(action));
    QCOMPARE(d.conflict, conflict);
    QVERIFY(!d.reason.empty());
  }

  void parsesStrategies_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ConflictStrategy>("strategy");
    QTest::newRow("lww") << "last-write-wins" << true << ConflictStrategy::kLastWriteWins;
    QTest::newRow("lww short") << "lww" << true << ConflictStrategy::kLastWriteWins;
    QTest::newRow("source") << "source-wins" << true << ConflictStrategy::kSourceWins;
    QTest::newRow("manual") << "manual" << true << ConflictStrategy::kManual;
    QTest::newRow("wrong case") << "Manual" << false << ConflictStrategy::kManual;
    QTest::newRow("empty") << "" << false << ConflictStrategy::kManual;
    QTest::newRow("target-wins is not offered") << "target-wins" << false << ConflictStrategy::kManual;
  }
  void parsesStrategies() {
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(ConflictStrategy, strategy);
    auto r = parseConflictStrategy(text.toStdString());
    QCOMPARE(r.ok(), ok);
    if (ok) {
      QCOMPARE(*r, strategy);
      QCOMPARE(QString(conflictStrategyName(*r)), text == "lww" ? QString("last-write-wins") : text);
    } else {
      QVERIFY2(r.status().message().find("last-write-wins, source-wins, manual") != std::string::npos,
               std::string(r.status().message()).c_str());
    }
  }
};

QTEST_APPLESS_MAIN(BidiDecisionTest)
#include "bidi_decision_test.moc"
