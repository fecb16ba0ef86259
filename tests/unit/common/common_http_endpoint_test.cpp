// HttpEndpoint on a real loopback socket, fetched with httplib::Client.
#include <atomic>

#include <QtTest>

#include <httplib.h>

#include "common/metrics/http_endpoint.h"
#include "common/metrics/metrics_registry.h"

using orch::metrics::HealthReport;
using orch::metrics::HttpEndpoint;
using orch::metrics::HttpRequestInfo;
using orch::metrics::HttpResponse;
using orch::metrics::MetricsRegistry;

class HttpEndpointTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void servesMetricsAndHealth() {
    MetricsRegistry registry;
    registry.counter("orch_requests_total", "Requests.").inc(4);
    HttpEndpoint endpoint("127.0.0.1", 0, registry);
    absl::Status st = endpoint.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    QVERIFY(endpoint.running());
    QVERIFY(endpoint.port() > 0);

    httplib::Client client("127.0.0.1", endpoint.port());
    auto metrics = client.Get("/metrics");
    QVERIFY(metrics);
    QCOMPARE(metrics->status, 200);
    QCOMPARE(QString::fromStdString(metrics->body), QString::fromStdString(registry.renderPrometheus()));
    QVERIFY(metrics->body.find("orch_requests_total 4\n") != std::string::npos);
    QVERIFY(metrics->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);

    auto health = client.Get("/health");
    QVERIFY(health);
    QCOMPARE(health->status, 200);
    QCOMPARE(health->get_header_value("Content-Type"), std::string("application/json"));
    auto body = nlohmann::json::parse(health->body, nullptr, false);
    QCOMPARE(body, (nlohmann::json{{"status", "ok"}}));

    // The registry is read live at each scrape.
    registry.gauge("orch_agents", "Agents.").set(3);
    auto again = client.Get("/metrics");
    QVERIFY(again && again->body.find("orch_agents 3\n") != std::string::npos);
  }

  void customHealthCheck() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("127.0.0.1", 0, registry);
    std::atomic<bool> leader{false};
    endpoint.setHealthCheck([&leader] {
      HealthReport r;
      r.status = leader ? 200 : 503;
      r.body = {{"status", leader ? "ok" : "standby"}, {"leader", leader.load()}};
      return r;
    });
    QVERIFY(endpoint.start().ok());
    httplib::Client client("127.0.0.1", endpoint.port());
    auto standby = client.Get("/health");
    QVERIFY(standby);
    QCOMPARE(standby->status, 503);
    QCOMPARE(nlohmann::json::parse(standby->body)["status"], nlohmann::json("standby"));
    leader = true;
    auto ok = client.Get("/health");
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
    QCOMPARE(nlohmann::json::parse(ok->body)["leader"], nlohmann::json(true));
  }

  void extraHandlersAndNotFound() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("127.0.0.1", 0, registry);
    QVERIFY(endpoint.addGetHandler("/v2/apps", [](const HttpRequestInfo& req) {
      auto it = req.params.find("id");
      return HttpResponse{201, "application/json",
                          nlohmann::json{{"id", it == req.params.end() ? "" : it->second}}.dump()};
    }).ok());
    QCOMPARE(endpoint.addGetHandler("/metrics", [](const HttpRequestInfo&) { return HttpResponse{}; }).code(),
             absl::StatusCode::kInvalidArgument);
    QCOMPARE(endpoint.addGetHandler("nope", [](const HttpRequestInfo&) { return HttpResponse{}; }).code(),
             absl::StatusCode::kInvalidArgument);
    QVERIFY(endpoint.start().ok());
    // Handlers can be added while serving.
    QVERIFY(endpoint.addGetHandler("/late", [](const HttpRequestInfo&) {
      return HttpResponse{200, "text/plain", "late"};
    }).ok());

    httplib::Client client("127.0.0.1", endpoint.port());
    auto apps = client.Get("/v2/apps?id=web");
    QVERIFY(apps);
    QCOMPARE(apps->status, 201);
    QCOMPARE(apps->get_header_value("Content-Type"), std::string("application/json"));
    QCOMPARE(nlohmann::json::parse(apps->body)["id"], nlohmann::json("web"));
    auto late = client.Get("/late");
    QVERIFY(late && late->body == "late");
    auto missing = client.Get("/nothing");
    QVERIFY(missing);
    QCOMPARE(missing->status, 404);
  }

  void portInUseIsAnError() {
    MetricsRegistry registry;
    HttpEndpoint first("127.0.0.1", 0, registry);
    QVERIFY(first.start().ok());
    HttpEndpoint second("127.0.0.1", first.port(), registry);
    absl::Status st = second.start();
    QCOMPARE(st.code(), absl::StatusCode::kUnavailable);
    QVERIFY2(std::string(st.message()).find(std::to_string(first.port())) != std::string::npos,
             st.ToString().c_str());
    QCOMPARE(first.start().code(), absl::StatusCode::kFailedPrecondition);
  }

  void stopJoinsAndClosesThePort() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("127.0.0.1", 0, registry);
    QVERIFY(endpoint.start().ok());
    const int port = endpoint.port();
    endpoint.stop();
    QVERIFY(!endpoint.running());
    endpoint.stop();  // idempotent
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1, 0);
    QVERIFY(!client.Get("/health"));
    // The same endpoint can start again on the same port.
    HttpEndpoint again("127.0.0.1", port, registry);
    absl::Status st = again.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    QVERIFY(httplib::Client("127.0.0.1", port).Get("/health"));
  }

  void stopRightAfterStartDoesNotHang() {
    MetricsRegistry registry;
    for (int i = 0; i < 20; ++i) {
      HttpEndpoint endpoint("127.0.0.1", 0, registry);
      QVERIFY(endpoint.start().ok());
      endpoint.stop();
    }
  }

  void badHostIsAnError() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("203.0.113.77", 0, registry);  // TEST-NET-3, not a local address
    QCOMPARE(endpoint.start().code(), absl::StatusCode::kUnavailable);
  }
};

QTEST_APPLESS_MAIN(HttpEndpointTest)
#include "common_http_endpoint_test.moc"
