// MetricsRegistry: exact Prometheus 0.0.4 text, series identity, misuse handling, concurrency.
#include <thread>
#include <vector>

#include <QtTest>

#include "common/metrics/metrics_registry.h"

using orch::metrics::Histogram;
using orch::metrics::MetricsRegistry;

class MetricsRegistryTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void emptyRegistryRendersNothing() { QCOMPARE(MetricsRegistry().renderPrometheus(), std::string()); }

  void counterText() {
    MetricsRegistry r;
    r.counter("orch_offers_total", "Offers sent.").inc();
    r.counter("orch_offers_total", "Offers sent.").inc(2.5);
    r.counter("orch_tasks_total", "Tasks by state.", {{"state", "running"}}).inc(3);
    r.counter("orch_tasks_total", "Tasks by state.", {{"state", "failed"}, {"agent", "a\"1\\\n"}}).inc();
    r.counter("orch_tasks_total", "ignored").inc(-5);  // counters never go down
    const std::string expected =
        "# HELP orch_offers_total Offers sent.\n"
        "# TYPE orch_offers_total counter\n"
        "orch_offers_total 3.5\n"
        "# HELP orch_tasks_total Tasks by state.\n"
        "# TYPE orch_tasks_total counter\n"
        "orch_tasks_total 0\n"
        "orch_tasks_total{agent=\"a\\\"1\\\\\\n\",state=\"failed\"} 1\n"
        "orch_tasks_total{state=\"running\"} 3\n";
    QCOMPARE(QString::fromStdString(r.renderPrometheus()), QString::fromStdString(expected));
  }

  void gaugeText() {
    MetricsRegistry r;
    auto& g = r.gauge("orch_agents", "Agents.\nBy \\ state.", {{"state", "active"}});
    g.set(10);
    g.inc();
    g.dec(3);
    r.gauge("orch_cpu_ratio", "Ratio.").set(0.25);
    r.gauge("orch_neg", "Negative.").set(-1e21);
    const std::string expected =
        "# HELP orch_agents Agents.\\nBy \\\\ state.\n"
        "# TYPE orch_agents gauge\n"
        "orch_agents{state=\"active\"} 8\n"
        "# HELP orch_cpu_ratio Ratio.\n"
        "# TYPE orch_cpu_ratio gauge\n"
        "orch_cpu_ratio 0.25\n"
        "# HELP orch_neg Negative.\n"
        "# TYPE orch_neg gauge\n"
        "orch_neg -1e+21\n";
    QCOMPARE(QString::fromStdString(r.renderPrometheus()), QString::fromStdString(expected));
    QCOMPARE(g.value(), 8.0);
  }

  void histogramText() {
    MetricsRegistry r;
    auto& h = r.histogram("orch_rpc_seconds", "RPC latency.", {1, 0.125, 0.5}, {{"method", "Offer"}});
    for (double v : {0.0625, 0.125, 0.25, 0.75, 2.0}) h.observe(v);
    const std::string expected =
        "# HELP orch_rpc_seconds RPC latency.\n"
        "# TYPE orch_rpc_seconds histogram\n"
        "orch_rpc_seconds_bucket{method=\"Offer\",le=\"0.125\"} 2\n"
        "orch_rpc_seconds_bucket{method=\"Offer\",le=\"0.5\"} 3\n"
        "orch_rpc_seconds_bucket{method=\"Offer\",le=\"1\"} 4\n"
        "orch_rpc_seconds_bucket{method=\"Offer\",le=\"+Inf\"} 5\n"
        "orch_rpc_seconds_sum{method=\"Offer\"} 3.1875\n"
        "orch_rpc_seconds_count{method=\"Offer\"} 5\n";
    QCOMPARE(QString::fromStdString(r.renderPrometheus()), QString::fromStdString(expected));
  }

  void histogramWithoutLabels() {
    MetricsRegistry r;
    r.histogram("h", "H.", {2}).observe(1);
    const std::string expected =
        "# HELP h H.\n# TYPE h histogram\n"
        "h_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n";
    QCOMPARE(QString::fromStdString(r.renderPrometheus()), QString::fromStdString(expected));
  }

  void sameNameAndLabelsIsSameSeries() {
    MetricsRegistry r;
    QCOMPARE(&r.counter("c", "C.", {{"a", "1"}}), &r.counter("c", "C.", {{"a", "1"}}));
    QVERIFY(&r.counter("c", "C.", {{"a", "1"}}) != &r.counter("c", "C.", {{"a", "2"}}));
    // Later histogram registrations reuse the first buckets.
    auto& h2 = r.histogram("h", "H.", {1, 2});
    auto& h3 = r.histogram("h", "H.", {5}, {{"x", "y"}});
    QCOMPARE(h3.upperBounds(), h2.upperBounds());
  }

  void misuseIsDetachedAndRecorded_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("label");
    QTest::newRow("bad name") << 0 << "9lives" << "";
    QTest::newRow("dash in name") << 1 << "orch-x" << "";
    QTest::newRow("bad label") << 0 << "ok_name" << "bad-label";
    QTest::newRow("reserved label") << 1 << "ok_name" << "__x";
    QTest::newRow("le on histogram") << 2 << "ok_name" << "le";
    QTest::newRow("type clash") << 1 << "existing_counter" << "";
  }
  void misuseIsDetachedAndRecorded() {
    QFETCH(int, kind);
    QFETCH(QString, name);
    QFETCH(QString, label);
    MetricsRegistry r;
    r.counter("existing_counter", "E.").inc();
    const std::string before = r.renderPrometheus();
    orch::metrics::Labels labels;
    if (!label.isEmpty()) labels.emplace(label.toStdString(), std::string(1, 'v'));
    if (kind == 0) r.counter(name.toStdString(), "h", labels).inc();
    if (kind == 1) r.gauge(name.toStdString(), "h", labels).set(1);
    if (kind == 2) r.histogram(name.toStdString(), "h", {1}, labels).observe(1);
    QCOMPARE(r.renderPrometheus(), before);
    QCOMPARE(r.errors().size(), size_t{1});
    QVERIFY2(r.errors()[0].find(name.toStdString()) != std::string::npos, r.errors()[0].c_str());
  }

  void bucketHelpers() {
    QCOMPARE(Histogram::exponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
    QCOMPARE(Histogram::linearBuckets(0, 5, 3), (std::vector<double>{0, 5, 10}));
    QVERIFY(Histogram::exponentialBuckets(0, 2, 4).empty());
    QVERIFY(Histogram::linearBuckets(0, -1, 4).empty());
    QCOMPARE(Histogram::defaultBuckets().size(), size_t{11});
    Histogram h({3, 1, 1, std::numeric_limits<double>::infinity()});
    QCOMPARE(h.upperBounds(), (std::vector<double>{1, 3}));
  }

  void concurrentUpdatesAreNotLost() {
    MetricsRegistry r;
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&r, t] {
        auto& c = r.counter("c_total", "C.");
        auto& g = r.gauge("g", "G.");
        auto& h = r.histogram("h", "H.", {0.5});
        r.counter("per_thread_total", "P.", {{"t", std::to_string(t)}}).inc();
        for (int i = 0; i < kPerThread; ++i) {
          c.inc();
          g.inc();
          h.observe(i % 2 == 0 ? 0.1 : 1.0);
          if (i % 1000 == 0) (void)r.renderPrometheus();
        }
      });
    }
    for (auto& th : threads) th.join();
    QCOMPARE(r.counter("c_total", "C.").value(), double(kThreads * kPerThread));
    QCOMPARE(r.gauge("g", "G.").value(), double(kThreads * kPerThread));
    Histogram::Snapshot snap = r.histogram("h", "H.", {0.5}).snapshot();
    QCOMPARE(snap.count, std::uint64_t(kThreads * kPerThread));
    QCOMPARE(snap.cumulative[0], std::uint64_t(kThreads * kPerThread / 2));
  }
};

QTEST_APPLESS_MAIN(MetricsRegistryTest)
#include "common_metrics_registry_test.moc"
