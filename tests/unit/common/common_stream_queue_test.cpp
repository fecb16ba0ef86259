// StreamQueue: order, close, and nextWrite()'s packing of a burst into one message's batch.
#include <QtTest/QtTest>

#include <string>

#include "common/concurrency/stream_queue.h"
#include "orchestrator/v1/agent.pb.h"

namespace v1 = orchestrator::v1;
using orch::concurrency::StreamQueue;
using namespace std::chrono_literals;

namespace {
v1::MasterMessage ack(const std::string& task, size_t uuid_bytes = 16) {
  v1::MasterMessage m;
  m.mutable_acknowledge()->set_task_id(task);
  m.mutable_acknowledge()->set_uuid(std::string(uuid_bytes, 'u'));
  return m;
}
}  // namespace

class StreamQueueTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void aLoneMessageIsSentAsItIs() {
    StreamQueue<v1::MasterMessage> q;
    q.push(ack("a"));
    auto m = q.nextWrite(0ms);
    QVERIFY(m.has_value());
    QCOMPARE(m->batch_size(), 0);
    QCOMPARE(m->acknowledge().task_id(), std::string("a"));
    QVERIFY(!q.nextWrite(0ms).has_value());
  }

  void aBurstIsPackedInOrder_data() {
    QTest::addColumn<int>("queued");
    QTest::addColumn<int>("first_write");
    QTest::newRow("two") << 2 << 2;
    QTest::newRow("sixty-four") << 64 << 64;
    QTest::newRow("more than one write holds") << 100 << 64;
  }

  void aBurstIsPackedInOrder() {
    QFETCH(int, queued);
    QFETCH(int, first_write);
    StreamQueue<v1::MasterMessage> q;
    for (int i = 0; i < queued; ++i) q.push(ack("t" + std::to_string(i)));
    int seen = 0;
    bool first = true;
    while (auto m = q.nextWrite(0ms)) {
      const int n = m->batch_size() == 0 ? 1 : m->batch_size();
      if (first) QCOMPARE(n, first_write);
      first = false;
      QVERIFY(!m->has_acknowledge() || m->batch_size() == 0);  // a batch carries no own message
      for (int i = 0; i < n; ++i) {
        const v1::MasterMessage& one = m->batch_size() == 0 ? *m : m->batch(i);
        QCOMPARE(one.batch_size(), 0);  // never nested
        QCOMPARE(one.acknowledge().task_id(), "t" + std::to_string(seen++));
      }
    }
    QCOMPARE(seen, queued);
  }

  void aBatchStaysUnderItsByteBudget() {
    StreamQueue<v1::MasterMessage> q;
    for (int i = 0; i < 6; ++i) q.push(ack("big" + std::to_string(i), 300 * 1024));
    auto m = q.nextWrite(0ms);
    QVERIFY(m.has_value());
    QVERIFY2(m->batch_size() == 3, qPrintable(QString::number(m->batch_size())));
    QVERIFY(m->ByteSizeLong() < 1100 * 1024);
    QCOMPARE(q.size(), size_t(3));
  }

  // A callback-API writer: the listener runs after each push and once on close; tryNextWrite()
  // takes what is queued without waiting, packed like nextWrite().
  void listenerSeesPushesAndTheClose() {
    StreamQueue<v1::MasterMessage> q;
    int calls = 0;
    q.setListener([&] { ++calls; });
    QVERIFY(!q.tryNextWrite().has_value());
    q.push(ack("a"));
    q.push(ack("b"));
    QCOMPARE(calls, 2);
    auto m = q.tryNextWrite();
    QVERIFY(m.has_value());
    QCOMPARE(m->batch_size(), 2);
    QVERIFY(!q.tryPop().has_value());
    q.close();
    q.close();  // once only
    QCOMPARE(calls, 3);
    QVERIFY(!q.push(ack("c")));
    QCOMPARE(calls, 3);
    q.setListener(nullptr);
  }

  void closedQueueDrainsThenEnds() {
    StreamQueue<v1::MasterMessage> q;
    q.push(ack("x"));
    q.close();
    QVERIFY(!q.push(ack("y")));
    QVERIFY(q.nextWrite(0ms).has_value());
    QVERIFY(!q.nextWrite(10ms).has_value());
    QVERIFY(q.closed());
  }
};

QTEST_APPLESS_MAIN(StreamQueueTest)
#include "common_stream_queue_test.moc"
