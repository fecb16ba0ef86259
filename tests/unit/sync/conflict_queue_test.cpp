// ConflictQueue (manual strategy) and ConflictRateWindow (the conflict-rate alert).
#include <QtTest/QtTest>

#include "core/sync/conflict_queue.h"
#include "core/sync/conflict_rate_window.h"

using namespace orch::core::sync;

class ConflictQueueTest : public QObject {
  Q_OBJECT

 private slots:
  void holdsOnePerPathAndKeepsItsId() {
    ConflictQueue q;
    const auto id1 = q.hold("/a", {true, "a1", 1, 1, 10}, {true, "b1", 2, 1, 20}, "first", 100);
    const auto id2 = q.hold("/b", {}, {true, "b", 3, 0, 30}, "second", 200);
    QVERIFY(id1 != id2);
    QCOMPARE(q.size(), size_t(2));
    // The same path conflicting again updates the entry, not the id or detection time.
    QCOMPARE(q.hold("/a", {true, "a2", 5, 2, 11}, {true, "b2", 6, 2, 21}, "again", 300), id1);
    QCOMPARE(q.size(), size_t(2));
    const HeldConflict* c = q.find(id1);
    QVERIFY(c);
    QCOMPARE(c->a.data, std::string("a2"));
    QCOMPARE(c->detected_ms, qint64(100));
    QCOMPARE(c->reason, std::string("again"));
    auto all = q.list();
    QCOMPARE(all.size(), size_t(2));
    QCOMPARE(all[0].id, id1);  // oldest first
    QCOMPARE(all[1].path, std::string("/b"));
  }

  void takeAndRelease() {
    ConflictQueue q;
    const auto id = q.hold("/a", {}, {}, "r", 1);
    QVERIFY(!q.take(id + 100));
    auto t = q.take(id);
    QVERIFY(t);
    QCOMPARE(t->path, std::string("/a"));
    QVERIFY(!q.isHeld("/a"));
    QVERIFY(!q.take(id));  // only once
    const auto id2 = q.hold("/a", {}, {}, "r", 2);
    QVERIFY(id2 != id);    // a new conflict gets a new id
    QVERIFY(q.release("/a"));
    QVERIFY(!q.release("/a"));
    QCOMPARE(q.size(), size_t(0));
    QVERIFY(!q.find(id2));
  }

  void rateWindow_data() {
    QTest::addColumn<double>("threshold");
    QTest::addColumn<QList<qint64>>("events");  // ms
    QTest::addColumn<qint64>("now");
    QTest::addColumn<double>("per_min");
    QTest::addColumn<bool>("alert");
    QTest::newRow("none") << 10.0 << QList<qint64>{} << qint64(1000) << 0.0 << false;
    QTest::newRow("at threshold is not over") << 2.0 << QList<qint64>{100, 200} << qint64(1000) << 2.0 << false;
    QTest::newRow("over threshold") << 2.0 << QList<qint64>{100, 200, 300} << qint64(1000) << 3.0 << true;
    QTest::newRow("old events expire") << 2.0 << QList<qint64>{100, 200, 300} << qint64(60300) << 0.0 << false;
    QTest::newRow("partly expired") << 1.0 << QList<qint64>{100, 50000, 59000} << qint64(61000) << 2.0 << true;
    QTest::newRow("threshold 0 never alerts") << 0.0 << QList<qint64>{1, 2, 3, 4} << qint64(10) << 4.0 << false;
  }
  void rateWindow() {
    QFETCH(double, threshold);
    QFETCH(QList<qint64>, events);
    QFETCH(qint64, now);
    QFETCH(double, per_min);
    QFETCH(bool, alert);
    ConflictRateWindow w(threshold);
    for (qint64 t : events) w.record(t);
    QCOMPARE(w.perMinute(now), per_min);
    QCOMPARE(w.alerting(now), alert);
  }
};

QTEST_APPLESS_MAIN(ConflictQueueTest)
#include "conflict_queue_test.moc"
