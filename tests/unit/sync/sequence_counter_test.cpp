// The sequence counter rule (core::sync::nextSequenceNumber and the bump plan built on it).
//
// The nextSequenceNumber rows are measurements on this machine's ZooKeeper 3.8 (Debian 12
// `zookeeper`, standalone): for each row a fresh parent got the listed operations, then its Stat
// was read (cversion, numChildren) and one sequential child was created; `next` is that child's
// suffix. zk_sync_test's sequenceCounterWithDifferentChildren checks the rule on live ensembles.
#include <QtTest/QtTest>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sync/sequence_counter.h"

using namespace orch::core::sync;

namespace {

std::vector<std::string> names(const QStringList& l) {
  std::vector<std::string> out;
  for (const auto& s : l) out.push_back(s.toStdString());
  return out;
}

}  // namespace

class SequenceCounterTest : public QObject {
  Q_OBJECT

 private slots:
  void nextSequenceNumber_data() {
    QTest::addColumn<int>("cversion");
    QTest::addColumn<int>("num_children");
    QTest::addColumn<qint64>("next");  // -1: error expected
    // Measured (operations on a fresh parent → stat → next sequential suffix).
    QTest::newRow("fresh parent") << 0 << 0 << qint64(0);
    QTest::newRow("3x create+delete of a plain child") << 6 << 0 << qint64(3);
    QTest::newRow("3x create+delete of a sequential child") << 6 << 0 << qint64(3);
    QTest::newRow("3 plain creates kept") << 3 << 3 << qint64(3);
    QTest::newRow("3 creates then 3 deletes") << 6 << 0 << qint64(3);
    QTest::newRow("5 sequential creates kept") << 5 << 5 << qint64(5);
    QTest::newRow("create k1,k2; delete k1") << 3 << 1 << qint64(2);
    QTest::newRow("1 create; setData on parent; grandchild create+delete") << 1 << 1 << qint64(1);
    QTest::newRow("1 create + 2 failed creates (node exists)") << 1 << 1 << qint64(1);
    QTest::newRow("failed delete (no node)") << 0 << 0 << qint64(0);
    QTest::newRow("plain create + named create lock-0000000050") << 2 << 2 << qint64(2);
    QTest::newRow("multi of 1 create+delete pair") << 2 << 0 << qint64(1);
    QTest::newRow("multi of 3 create+delete pairs") << 6 << 0 << qint64(3);
    QTest::newRow("4 ephemeral seq + 1 seq kept, session closed") << 9 << 1 << qint64(5);
    QTest::newRow("same parent after one more create and a server restart") << 10 << 2 << qint64(6);
    QTest::newRow("3 create+delete, 2 kept, after a server restart") << 8 << 2 << qint64(5);
    // Beyond 2^30 creates the reported cversion wraps negative in 32 bits.
    QTest::newRow("wrapped cversion (2^30+1 creates, no children)")
        << int(std::int32_t(std::uint32_t(2147483650u))) << 0 << qint64(1073741825);
    QTest::newRow("server maximum (2^31-1 creates, 1 child)")
        << int(std::int32_t(std::uint32_t(4294967293u))) << 1 << qint64(2147483647);
    // Pairs that the rule cannot produce.
    QTest::newRow("odd sum") << 3 << 0 << qint64(-1);
    QTest::newRow("negative numChildren") << 2 << -2 << qint64(-1);
    QTest::newRow("more children than creates") << 1 << 3 << qint64(-1);
    QTest::newRow("past the server's counter") << -1 << 1 << qint64(-1);
  }
  void nextSequenceNumber() {
    QFETCH(int, cversion);
    QFETCH(int, num_children);
    QFETCH(qint64, next);
    const auto got = orch::core::sync::nextSequenceNumber(cversion, num_children);
    if (next < 0) {
      QVERIFY2(!got.ok(), "expected an error");
      QVERIFY2(got.status().message().find("sequence counter") != std::string_view::npos,
               std::string(got.status().message()).c_str());
      return;
    }
    QVERIFY2(got.ok(), std::string(got.status().message()).c_str());
    QCOMPARE(qint64(*got), next);
  }

  void highestSequenceSuffix_data() {
    QTest::addColumn<QStringList>("children");
    QTest::addColumn<qint64>("highest");  // -1: none
    QTest::newRow("none") << QStringList{} << qint64(-1);
    QTest::newRow("plain names only") << QStringList{"config", "leader", "x123"} << qint64(-1);
    QTest::newRow("mixed") << QStringList{"config", "lock-0000000003", "lock-0000000009", "0000000004"} << qint64(9);
    QTest::newRow("eleven digits is not a counter") << QStringList{"x10000000042", "n-0000000001"} << qint64(1);
  }
  void highestSequenceSuffix() {
    QFETCH(QStringList, children);
    QFETCH(qint64, highest);
    const auto got = orch::core::sync::highestSequenceSuffix(names(children));
    QCOMPARE(got ? qint64(*got) : qint64(-1), highest);
  }

  // The whole decision the engines make for one parent: A's stat and copied child names give the
  // required counter, B's stat (after the copies) gives B's counter, the difference the pairs.
  void bumpPlan_data() {
    QTest::addColumn<int>("a_cversion");
    QTest::addColumn<int>("a_children");
    QTest::addColumn<QStringList>("copied");
    QTest::addColumn<int>("b_cversion");
    QTest::addColumn<int>("b_children");
    QTest::addColumn<qint64>("pairs");  // -1: no bump needed at all (no sequential name)
    QTest::addColumn<qint64>("b_next_after");
    // Comparing cversions (the old rule) saw B's 7 ≥ A's 6 and wrote nothing: B's next was 4,
    // so B's third sequential create would have collided with s-0000000005.
    QTest::newRow("B had 3 deletes, A holds 5 uncopied ephemerals")
        << 6 << 6 << QStringList{"s-0000000005"} << 7 << 1 << qint64(2) << qint64(6);
    // The old rule asked for (201 - 51 + 1) / 2 = 75 pairs: 25 more than needed.
    QTest::newRow("A ran 100 create+delete cycles, B holds 50 extra children")
        << 201 << 1 << QStringList{"s-0000000100"} << 51 << 51 << qint64(50) << qint64(101);
    QTest::newRow("highest copied suffix dominates")
        << 3 << 3 << QStringList{"a-0000000007", "a-0000000042", "plain"} << 3 << 3 << qint64(40) << qint64(43);
    QTest::newRow("already high enough: no writes")
        << 6 << 0 << QStringList{"s-0000000002"} << 29 << 1 << qint64(0) << qint64(15);
    QTest::newRow("exactly at A's counter: no writes")
        << 9 << 1 << QStringList{"s-0000000004"} << 9 << 1 << qint64(0) << qint64(5);
    QTest::newRow("children not sequential: nothing to do")
        << 40 << 2 << QStringList{"config", "leader"} << 2 << 2 << qint64(-1) << qint64(2);
  }
  void bumpPlan() {
    QFETCH(int, a_cversion);
    QFETCH(int, a_children);
    QFETCH(QStringList, copied);
    QFETCH(int, b_cversion);
    QFETCH(int, b_children);
    QFETCH(qint64, pairs);
    QFETCH(qint64, b_next_after);
    const auto a_next = orch::core::sync::nextSequenceNumber(a_cversion, a_children);
    QVERIFY(a_next.ok());
    const auto required = requiredNextSequence(names(copied), *a_next);
    const auto b_next = orch::core::sync::nextSequenceNumber(b_cversion, b_children);
    QVERIFY(b_next.ok());
    if (pairs < 0) {
      QVERIFY(!required.has_value());
      QCOMPARE(qint64(*b_next), b_next_after);
      return;
    }
    QVERIFY(required.has_value());
    const std::int64_t got = bumpPairsNeeded(*b_next, *required);
    QCOMPARE(qint64(got), pairs);
    // Each pair is one create + one delete: cversion += 2, numChildren unchanged, counter += 1.
    const auto after = orch::core::sync::nextSequenceNumber(b_cversion + int(2 * got), b_children);
    QVERIFY(after.ok());
    QCOMPARE(qint64(*after), b_next_after);
    QVERIFY(*after >= *a_next);
    QVERIFY(*after > *orch::core::sync::highestSequenceSuffix(names(copied)));
  }
};

QTEST_APPLESS_MAIN(SequenceCounterTest)
#include "sequence_counter_test.moc"
