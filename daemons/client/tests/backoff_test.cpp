// Reconnect backoff: grows by the multiplier, stays within the jitter band, caps, resets.
#include <QtTest>

#include "client/backoff.h"

using namespace std::chrono_literals;
using orch::client::Backoff;
using orch::client::BackoffPolicy;

class BackoffTest : public QObject {
  Q_OBJECT

 private slots:
  void growsAndCaps_data();
  void growsAndCaps();
  void jitterStaysInBand();
  void resetStartsOver();
};

void BackoffTest::growsAndCaps_data() {
  QTest::addColumn<int>("initial");
  QTest::addColumn<int>("max");
  QTest::addColumn<double>("multiplier");
  QTest::addColumn<QList<int>>("expected");
  QTest::newRow("doubling") << 100 << 1000 << 2.0 << QList<int>{100, 200, 400, 800, 1000, 1000};
  QTest::newRow("tripling") << 10 << 100 << 3.0 << QList<int>{10, 30, 90, 100};
  QTest::newRow("constant") << 50 << 50 << 2.0 << QList<int>{50, 50, 50};
  QTest::newRow("multiplier below one is one") << 20 << 100 << 0.5 << QList<int>{20, 20, 20};
  QTest::newRow("max below initial") << 500 << 100 << 2.0 << QList<int>{500, 500};
}

void BackoffTest::growsAndCaps() {
  QFETCH(int, initial);
  QFETCH(int, max);
  QFETCH(double, multiplier);
  QFETCH(QList<int>, expected);
  Backoff backoff(BackoffPolicy{std::chrono::milliseconds(initial), std::chrono::milliseconds(max),
                                multiplier, 0.0},
                  42);
  for (int want : expected) QCOMPARE(static_cast<int>(backoff.next().count()), want);
  QCOMPARE(backoff.attempts(), static_cast<int>(expected.size()));
}

void BackoffTest::jitterStaysInBand() {
  Backoff backoff(BackoffPolicy{1000ms, 1000ms, 2.0, 0.25}, 7);
  bool saw_low = false;
  bool saw_high = false;
  for (int i = 0; i < 500; ++i) {
    const auto d = backoff.next().count();
    QVERIFY2(d >= 750 && d <= 1000, qPrintable(QString::number(d)));
    saw_low = saw_low || d < 900;
    saw_high = saw_high || d > 950;
  }
  QVERIFY(saw_low);
  QVERIFY(saw_high);
}

void BackoffTest::resetStartsOver() {
  Backoff backoff(BackoffPolicy{100ms, 10'000ms, 2.0, 0.0}, 1);
  backoff.next();
  backoff.next();
  QCOMPARE(backoff.next().count(), 400);
  backoff.reset();
  QCOMPARE(backoff.attempts(), 0);
  QCOMPARE(backoff.next().count(), 100);
}

QTEST_APPLESS_MAIN(BackoffTest)
#include "backoff_test.moc"
