// Data-driven tests of the ZooKeeper connect-string parser and the retry backoff.
#include <QtTest/QtTest>

#include "common/zk/retry_policy.h"
#include "common/zk/zk_connect_string.h"

using namespace orch::zk;

class ZkConnectStringTest : public QObject {
  Q_OBJECT
 private slots:
  void parses_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("hosts");
    QTest::addColumn<QString>("chroot");
    QTest::newRow("one") << "h:1" << true << "h:1" << "";
    QTest::newRow("default port") << "h" << true << "h:2181" << "";
    QTest::newRow("scheme+chroot") << "zk://a:1,b:2/orchestrator" << true << "a:1,b:2" << "/orchestrator";
    QTest::newRow("deep chroot") << "a:1/x/y" << true << "a:1" << "/x/y";
    QTest::newRow("root chroot") << "a:1/" << true << "a:1" << "";
    QTest::newRow("ipv6") << "[::1]:2181/c" << true << "[::1]:2181" << "/c";
    QTest::newRow("empty") << "" << false << "" << "";
    QTest::newRow("only chroot") << "zk:///x" << false << "" << "";
    QTest::newRow("bad port") << "a:x" << false << "" << "";
    QTest::newRow("port range") << "a:70000" << false << "" << "";
    QTest::newRow("empty port") << "a:" << false << "" << "";
    QTest::newRow("empty entry") << "a:1,,b:2" << false << "" << "";
    QTest::newRow("bad chroot") << "a:1/x//y" << false << "" << "";
    QTest::newRow("trailing slash chroot") << "a:1/x/" << false << "" << "";
    QTest::newRow("dotdot chroot") << "a:1/x/.." << false << "" << "";
  }
  void parses() {
    QFETCH(QString, input);
    QFETCH(bool, ok);
    auto r = parseConnectString(input.toStdString());
    QCOMPARE(r.ok(), ok);
    if (!ok) {
      QVERIFY(!r.status().message().empty());
      return;
    }
    QFETCH(QString, hosts);
    QFETCH(QString, chroot);
    QCOMPARE(QString::fromStdString(r->hostList()), hosts);
    QCOMPARE(QString::fromStdString(r->chroot), chroot);
  }

  void backoffGrowsAndCaps() {
    RetryPolicy p;
    p.initial_backoff = std::chrono::milliseconds(100);
    p.max_backoff = std::chrono::milliseconds(1000);
    p.multiplier = 2.0;
    p.jitter = 0.0;
    QCOMPARE(p.delayBefore(1, 0.5).count(), 0);
    QCOMPARE(p.delayBefore(2, 0.5).count(), 100);
    QCOMPARE(p.delayBefore(3, 0.5).count(), 200);
    QCOMPARE(p.delayBefore(5, 0.5).count(), 800);
    QCOMPARE(p.delayBefore(9, 0.5).count(), 1000);
    p.jitter = 0.5;
    QCOMPARE(p.delayBefore(2, 0.0).count(), 50);
    QCOMPARE(p.delayBefore(2, 1.0).count(), 150);
  }
};

QTEST_APPLESS_MAIN(ZkConnectStringTest)
#include "zk_connect_string_test.moc"
