// HttpEndpoint on a real loopback socket, fetched with httplib::Client (plain HTTP) and
// httplib::SSLClient (HTTPS, certificates issued by the project's own CA code).
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT  // orch_common defines it too; SSLClient needs it
#endif

#include <sys/stat.h>

#include <atomic>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include <httplib.h>
#include <openssl/ssl.h>

#include "common/metrics/http_endpoint.h"
#include "common/metrics/http_endpoint_options.h"
#include "common/metrics/metrics_registry.h"
#include "common/tls/cert_authority.h"

using orch::metrics::HealthReport;
using orch::metrics::HttpEndpoint;
using orch::metrics::HttpEndpointOptions;
using orch::metrics::HttpRequestInfo;
using orch::metrics::HttpResponse;
using orch::metrics::HttpSecurityFlags;
using orch::metrics::MetricsRegistry;

namespace {

bool contains(const absl::Status& st, const std::string& part) {
  return std::string(st.message()).find(part) != std::string::npos;
}

void writeFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

}  // namespace

class HttpEndpointTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;      // ca.crt, server.*, client.* from the cluster CA
  QTemporaryDir rogue_;    // another CA and a client certificate it issued
  std::string ca_, server_crt_, server_key_, client_crt_, client_key_, rogue_crt_, rogue_key_;

  std::string path(const std::string& name) const { return dir_.path().toStdString() + "/" + name; }

  HttpEndpointOptions tlsOptions() const {
    HttpEndpointOptions o;
    o.cert_file = server_crt_;
    o.key_file = server_key_;
    return o;
  }

  // An HTTPS client trusting the cluster CA, presenting cert/key when given.
  std::unique_ptr<httplib::SSLClient> httpsClient(int port, const std::string& cert = "",
                                                  const std::string& key = "") const {
    auto client = cert.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                               : std::make_unique<httplib::SSLClient>("127.0.0.1", port, cert, key);
    client->set_ca_cert_path(ca_.c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(3, 0);
    client->set_read_timeout(3, 0);
    return client;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid() && rogue_.isValid());
    const std::string d = dir_.path().toStdString();
    const std::string r = rogue_.path().toStdString();
    using orch::tls::CertRole;
    absl::Status st = orch::tls::createCertificateAuthority(d, "httptest");
    QVERIFY2(st.ok(), st.ToString().c_str());
    st = orch::tls::issueCertificate(d, d, "server", CertRole::kMaster);
    QVERIFY2(st.ok(), st.ToString().c_str());
    st = orch::tls::issueCertificate(d, d, "client", CertRole::kOperator);
    QVERIFY2(st.ok(), st.ToString().c_str());
    st = orch::tls::createCertificateAuthority(r, "rogue");
    QVERIFY2(st.ok(), st.ToString().c_str());
    st = orch::tls::issueCertificate(r, r, "intruder", CertRole::kOperator);
    QVERIFY2(st.ok(), st.ToString().c_str());
    ca_ = d + "/ca.crt";
    server_crt_ = d + "/server.crt";
    server_key_ = d + "/server.key";
    client_crt_ = d + "/client.crt";
    client_key_ = d + "/client.key";
    rogue_crt_ = r + "/intruder.crt";
    rogue_key_ = r + "/intruder.key";
    writeFile(path("garbage.crt"), "this is not a certificate\n", 0644);
  }

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
    // TEST-NET-3, not a local address (TLS, so the loopback rule does not refuse it first).
    HttpEndpoint endpoint("203.0.113.77", 0, registry, tlsOptions());
    QCOMPARE(endpoint.start().code(), absl::StatusCode::kUnavailable);
  }

  void loopbackHosts_data() {
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("127.0.0.1") << "127.0.0.1" << true;
    QTest::newRow("127.255.3.4") << "127.255.3.4" << true;
    QTest::newRow("localhost") << "localhost" << true;
    QTest::newRow("LocalHost") << "LocalHost" << true;
    QTest::newRow("::1") << "::1" << true;
    QTest::newRow("[::1]") << "[::1]" << true;
    QTest::newRow("v4-mapped loopback") << "::ffff:127.0.0.1" << true;
    QTest::newRow("0.0.0.0") << "0.0.0.0" << false;
    QTest::newRow("::") << "::" << false;
    QTest::newRow("private") << "10.1.2.3" << false;
    QTest::newRow("128.0.0.1") << "128.0.0.1" << false;
    QTest::newRow("v4-mapped other") << "::ffff:10.0.0.1" << false;
    QTest::newRow("host name") << "master-1.example" << false;
    QTest::newRow("localhost.evil") << "localhost.example" << false;
    QTest::newRow("empty") << "" << false;
  }

  void loopbackHosts() {
    QFETCH(QString, host);
    QFETCH(bool, loopback);
    QCOMPARE(orch::metrics::isLoopbackHost(host.toStdString()), loopback);
  }

  void plainHttpOnNonLoopbackIsRefusedBeforeBinding() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("0.0.0.0", 0, registry);
    absl::Status st = endpoint.start();
    QCOMPARE(st.code(), absl::StatusCode::kFailedPrecondition);
    QVERIFY2(contains(st, "0.0.0.0") && contains(st, "TLS") && contains(st, "loopback"), st.ToString().c_str());
    QVERIFY(!endpoint.running());
    QCOMPARE(endpoint.port(), 0);  // nothing was bound
    QCOMPARE(orch::metrics::checkHttpEndpointOptions("0.0.0.0", {}).code(), absl::StatusCode::kFailedPrecondition);
    QVERIFY(orch::metrics::checkHttpEndpointOptions("0.0.0.0", tlsOptions()).ok());
    QVERIFY(orch::metrics::checkHttpEndpointOptions("127.0.0.1", {}).ok());
    // A token alone does not make it safe to send over the network.
    HttpEndpointOptions token_only;
    token_only.bearer_token = "s3cret";
    endpoint.setOptions(token_only);
    QCOMPARE(endpoint.start().code(), absl::StatusCode::kFailedPrecondition);
    // localhost stays allowed.
    HttpEndpoint local("localhost", 0, registry);
    absl::Status ok = local.start();
    QVERIFY2(ok.ok(), ok.ToString().c_str());
    QCOMPARE(local.scheme(), std::string("http"));
  }

  void httpsOnAnyAddressIsAllowed() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("0.0.0.0", 0, registry, tlsOptions());
    absl::Status st = endpoint.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    auto res = httpsClient(endpoint.port())->Get("/health");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
  }

  void servesHttps() {
    MetricsRegistry registry;
    registry.counter("orch_tls_total", "TLS.").inc(7);
    HttpEndpoint endpoint("127.0.0.1", 0, registry, tlsOptions());
    QCOMPARE(endpoint.scheme(), std::string("https"));
    absl::Status st = endpoint.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    auto client = httpsClient(endpoint.port());
    auto metrics = client->Get("/metrics");
    QVERIFY2(metrics, httplib::to_string(metrics.error()).c_str());
    QCOMPARE(metrics->status, 200);
    QVERIFY(metrics->body.find("orch_tls_total 7\n") != std::string::npos);
    auto health = client->Get("/health");
    QVERIFY(health);
    QCOMPARE(health->status, 200);

    // A plain-HTTP client gets no answer from the HTTPS port.
    httplib::Client plain("127.0.0.1", endpoint.port());
    plain.set_connection_timeout(3, 0);
    plain.set_read_timeout(3, 0);
    auto refused = plain.Get("/metrics");
    QVERIFY(!refused || refused->status != 200);

    // A client that does not trust the cluster CA refuses the server.
    httplib::SSLClient untrusting("127.0.0.1", endpoint.port());
    untrusting.enable_server_certificate_verification(true);
    untrusting.set_connection_timeout(3, 0);
    QVERIFY(!untrusting.Get("/metrics"));
  }

  void httpsIsTls13Only() {
    MetricsRegistry registry;
    HttpEndpoint endpoint("127.0.0.1", 0, registry, tlsOptions());
    QVERIFY(endpoint.start().ok());
    auto old_client = httpsClient(endpoint.port());
    SSL_CTX_set_max_proto_version(old_client->ssl_context(), TLS1_2_VERSION);
    QVERIFY(!old_client->Get("/health"));
    auto client = httpsClient(endpoint.port());
    SSL_CTX_set_min_proto_version(client->ssl_context(), TLS1_3_VERSION);
    auto res = client->Get("/health");
    QVERIFY(res);
    QCOMPARE(res->status, 200);
  }

  void clientCertificateRequired() {
    MetricsRegistry registry;
    HttpEndpointOptions options = tlsOptions();
    options.ca_file = ca_;
    options.require_client_cert = true;
    HttpEndpoint endpoint("127.0.0.1", 0, registry, options);
    absl::Status st = endpoint.start();
    QVERIFY2(st.ok(), st.ToString().c_str());

    auto anonymous = httpsClient(endpoint.port());
    QVERIFY(!anonymous->Get("/metrics"));
    auto intruder = httpsClient(endpoint.port(), rogue_crt_, rogue_key_);
    QVERIFY(!intruder->Get("/metrics"));
    auto member = httpsClient(endpoint.port(), client_crt_, client_key_);
    auto res = member->Get("/metrics");
    QVERIFY2(res, httplib::to_string(res.error()).c_str());
    QCOMPARE(res->status, 200);
  }

  void bearerToken() {
    MetricsRegistry registry;
    HttpEndpointOptions options;
    options.bearer_token = "t0ken-abc";
    HttpEndpoint endpoint("127.0.0.1", 0, registry, options);
    QVERIFY(endpoint.addGetHandler("/api/v1/sync/status", [](const HttpRequestInfo&) {
      return HttpResponse{200, "application/json", "{}"};
    }).ok());
    QVERIFY(endpoint.start().ok());
    httplib::Client client("127.0.0.1", endpoint.port());

    auto none = client.Get("/metrics");
    QVERIFY(none);
    QCOMPARE(none->status, 401);
    QCOMPARE(none->get_header_value("WWW-Authenticate").rfind("Bearer", 0), size_t{0});
    auto body = nlohmann::json::parse(none->body, nullptr, false);
    QCOMPARE(body["error"], nlohmann::json("unauthorized"));
    QCOMPARE(body["message"], nlohmann::json("missing bearer token"));

    auto wrong = client.Get("/metrics", {{"Authorization", "Bearer t0ken-abd"}});
    QVERIFY(wrong);
    QCOMPARE(wrong->status, 401);
    QVERIFY(wrong->get_header_value("WWW-Authenticate").find("invalid_token") != std::string::npos);
    auto prefix = client.Get("/metrics", {{"Authorization", "Bearer t0ken"}});
    QVERIFY(prefix && prefix->status == 401);
    auto basic = client.Get("/metrics", {{"Authorization", "Basic t0ken-abc"}});
    QVERIFY(basic && basic->status == 401);
    auto unknown = client.Get("/nothing");  // no hint whether a path exists
    QVERIFY(unknown && unknown->status == 401);
    auto post = client.Post("/metrics", "x", "text/plain");
    QVERIFY(post && post->status == 401);

    auto right = client.Get("/metrics", {{"Authorization", "Bearer t0ken-abc"}});
    QVERIFY(right);
    QCOMPARE(right->status, 200);
    auto lower = client.Get("/api/v1/sync/status", {{"Authorization", "bearer  t0ken-abc "}});
    QVERIFY(lower);
    QCOMPARE(lower->status, 200);
    QCOMPARE(lower->body, std::string("{}"));

    // Load balancers probe /health without credentials.
    auto health = client.Get("/health");
    QVERIFY(health);
    QCOMPARE(health->status, 200);
  }

  void bearerTokenOverClientCertTls() {
    MetricsRegistry registry;
    HttpEndpointOptions options = tlsOptions();
    options.ca_file = ca_;
    options.require_client_cert = true;
    options.bearer_token = "abc";
    HttpEndpoint endpoint("127.0.0.1", 0, registry, options);
    QVERIFY(endpoint.start().ok());
    auto client = httpsClient(endpoint.port(), client_crt_, client_key_);
    auto none = client->Get("/metrics");
    QVERIFY(none && none->status == 401);
    auto right = client->Get("/metrics", {{"Authorization", "Bearer abc"}});
    QVERIFY(right && right->status == 200);
  }

  void badTlsSetupNamesTheProblem_data() {
    // File names are relative to the fixture's directory; "-" means none.
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("ca");
    QTest::addColumn<bool>("clientCerts");
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("mentions");
    const int not_found = int(absl::StatusCode::kNotFound);
    const int invalid = int(absl::StatusCode::kInvalidArgument);
    QTest::newRow("missing cert") << "nope.crt" << "server.key" << "-" << false << "" << not_found
                                  << QStringList{"nope.crt", "certificate"};
    QTest::newRow("missing key") << "server.crt" << "nope.key" << "-" << false << "" << not_found
                                 << QStringList{"nope.key", "key"};
    QTest::newRow("cert not PEM") << "garbage.crt" << "server.key" << "-" << false << "" << invalid
                                  << QStringList{"garbage.crt"};
    QTest::newRow("key is a certificate") << "server.crt" << "client.crt" << "-" << false << "" << invalid
                                          << QStringList{"client.crt"};
    QTest::newRow("key of another cert") << "server.crt" << "client.key" << "-" << false << "" << invalid
                                         << QStringList{"client.key", "server.crt", "does not match"};
    QTest::newRow("missing CA") << "server.crt" << "server.key" << "nope-ca.crt" << true << "" << not_found
                                << QStringList{"nope-ca.crt"};
    QTest::newRow("CA not PEM") << "server.crt" << "server.key" << "garbage.crt" << true << "" << invalid
                                << QStringList{"garbage.crt"};
    QTest::newRow("cert without key") << "server.crt" << "-" << "-" << false << "" << invalid
                                      << QStringList{"key"};
    QTest::newRow("client certs without CA") << "server.crt" << "server.key" << "-" << true << "" << invalid
                                             << QStringList{"CA"};
    QTest::newRow("client certs without TLS") << "-" << "-" << "ca.crt" << true << "" << invalid
                                              << QStringList{"HTTPS"};
    QTest::newRow("token with space") << "-" << "-" << "-" << false << "a b" << invalid
                                      << QStringList{"token"};
  }

  void badTlsSetupNamesTheProblem() {
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(QString, ca);
    QFETCH(bool, clientCerts);
    QFETCH(QString, token);
    QFETCH(int, code);
    QFETCH(QStringList, mentions);
    auto resolve = [this](const QString& name) { return name == "-" ? std::string() : path(name.toStdString()); };
    HttpEndpointOptions options;
    options.cert_file = resolve(cert);
    options.key_file = resolve(key);
    options.ca_file = resolve(ca);
    options.require_client_cert = clientCerts;
    options.bearer_token = token.toStdString();
    // The daemons' startup check finds the same problem without starting anything.
    absl::Status checked = orch::metrics::checkHttpEndpointOptions("127.0.0.1", options);
    QCOMPARE(int(checked.code()), code);
    for (const QString& part : mentions) QVERIFY2(contains(checked, part.toStdString()), checked.ToString().c_str());
    MetricsRegistry registry;
    HttpEndpoint endpoint("127.0.0.1", 0, registry, options);
    absl::Status st = endpoint.start();
    QCOMPARE(int(st.code()), code);
    for (const QString& part : mentions) QVERIFY2(contains(st, part.toStdString()), st.ToString().c_str());
    QVERIFY(!endpoint.running());
    QCOMPARE(endpoint.port(), 0);
  }

  void tokenFile() {
    using orch::metrics::loadBearerTokenFile;
    QCOMPARE(loadBearerTokenFile(path("no-such-token")).status().code(), absl::StatusCode::kNotFound);
    writeFile(path("empty.token"), "  \n", 0600);
    auto empty = loadBearerTokenFile(path("empty.token"));
    QCOMPARE(empty.status().code(), absl::StatusCode::kFailedPrecondition);
    QVERIFY2(contains(empty.status(), "empty.token"), empty.status().ToString().c_str());
    writeFile(path("open.token"), "abc\n", 0644);
    auto open = loadBearerTokenFile(path("open.token"));
    QCOMPARE(open.status().code(), absl::StatusCode::kFailedPrecondition);
    QVERIFY2(contains(open.status(), "open.token") && contains(open.status(), "644"), open.status().ToString().c_str());
    writeFile(path("spaced.token"), "ab cd\n", 0600);
    QCOMPARE(loadBearerTokenFile(path("spaced.token")).status().code(), absl::StatusCode::kInvalidArgument);
    writeFile(path("good.token"), " \t s3cr3t-Token_1 \r\nsecond line\n", 0640);
    auto good = loadBearerTokenFile(path("good.token"));
    QVERIFY2(good.ok(), good.status().ToString().c_str());
    QCOMPARE(*good, std::string("s3cr3t-Token_1"));
  }

  void optionsFromFlags() {
    using orch::metrics::makeHttpEndpointOptions;
    HttpSecurityFlags flags;
    auto plain = makeHttpEndpointOptions(flags, ca_, server_crt_, server_key_);
    QVERIFY(plain.ok());
    QVERIFY(!plain->tls());
    QVERIFY(!plain->require_client_cert);
    QVERIFY(plain->bearer_token.empty());

    flags.client_certs = true;
    auto bad = makeHttpEndpointOptions(flags, ca_, server_crt_, server_key_);
    QCOMPARE(bad.status().code(), absl::StatusCode::kInvalidArgument);
    QVERIFY(contains(bad.status(), "--http-tls"));

    flags.tls = true;
    flags.token_file = path("good.token");
    writeFile(flags.token_file, "tok\n", 0600);
    auto full = makeHttpEndpointOptions(flags, ca_, server_crt_, server_key_);
    QVERIFY2(full.ok(), full.status().ToString().c_str());
    QCOMPARE(full->cert_file, server_crt_);
    QCOMPARE(full->key_file, server_key_);
    QCOMPARE(full->ca_file, ca_);
    QVERIFY(full->require_client_cert);
    QCOMPARE(full->bearer_token, std::string("tok"));

    flags.token_file = path("no-such-token");
    QCOMPARE(makeHttpEndpointOptions(flags, ca_, server_crt_, server_key_).status().code(),
             absl::StatusCode::kNotFound);
  }
};

QTEST_APPLESS_MAIN(HttpEndpointTest)
#include "common_http_endpoint_test.moc"
