// gRPC failures become messages a person understands, with the code preserved.
#include <QtTest>

#include "client/rpc_status.h"

class RpcStatusTest : public QObject {
  Q_OBJECT

 private slots:
  void mapsFailures_data();
  void mapsFailures();
  void okStaysOk();
};

void RpcStatusTest::mapsFailures_data() {
  QTest::addColumn<int>("grpc_code");
  QTest::addColumn<QString>("grpc_message");
  QTest::addColumn<int>("absl_code");
  QTest::addColumn<QString>("expected");

  QTest::newRow("refused")
      << int(grpc::StatusCode::UNAVAILABLE)
      << "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:5050: Failed to "
         "connect to remote host: Connection refused"
      << int(absl::StatusCode::kUnavailable) << "cannot reach master at 127.0.0.1:5050: connection refused";
  QTest::newRow("server certificate not trusted")
      << int(grpc::StatusCode::UNAVAILABLE)
      << "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:5050: Ssl handshake "
         "failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed"
      << int(absl::StatusCode::kUnavailable)
      << "TLS handshake with master at 127.0.0.1:5050 failed: its certificate is not signed by the "
         "cluster CA this client trusts (--ca), or does not name the host connected to (Ssl handshake";
  QTest::newRow("other handshake failure")
      << int(grpc::StatusCode::UNAVAILABLE) << "Ssl handshake failed: SSL_ERROR_SSL: wrong version number"
      << int(absl::StatusCode::kUnavailable)
      << "TLS handshake with master at 127.0.0.1:5050 failed: Ssl handshake failed: SSL_ERROR_SSL: wrong version number";
  QTest::newRow("client certificate rejected (TLS 1.3: socket closed)")
      << int(grpc::StatusCode::UNAVAILABLE)
      << "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:5050: Socket closed"
      << int(absl::StatusCode::kUnavailable)
      << "certificate rejected by master at 127.0.0.1:5050? it closed the connection during the TLS handshake";
  QTest::newRow("other transport error keeps its words")
      << int(grpc::StatusCode::UNAVAILABLE)
      << "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:5050: Broken pipe"
      << int(absl::StatusCode::kUnavailable) << "cannot reach master at 127.0.0.1:5050: Broken pipe";
  QTest::newRow("dns") << int(grpc::StatusCode::UNAVAILABLE) << "DNS resolution failed for nohost:5050"
                       << int(absl::StatusCode::kUnavailable) << "host name could not be resolved";
  QTest::newRow("deadline") << int(grpc::StatusCode::DEADLINE_EXCEEDED) << "Deadline Exceeded"
                            << int(absl::StatusCode::kDeadlineExceeded)
                            << "master at 127.0.0.1:5050 did not answer in time";
  QTest::newRow("unauthenticated") << int(grpc::StatusCode::UNAUTHENTICATED) << "no client certificate"
                                   << int(absl::StatusCode::kUnauthenticated)
                                   << "certificate rejected by master at 127.0.0.1:5050: no client certificate";
  QTest::newRow("server's own message")
      << int(grpc::StatusCode::INVALID_ARGUMENT) << "accept.operations[0].launch.task_infos[0].task_id: duplicate"
      << int(absl::StatusCode::kInvalidArgument) << "accept.operations[0].launch.task_infos[0].task_id: duplicate";
  QTest::newRow("not found") << int(grpc::StatusCode::NOT_FOUND) << "agent a1 is not registered"
                             << int(absl::StatusCode::kNotFound) << "agent a1 is not registered";
  QTest::newRow("empty message") << int(grpc::StatusCode::INTERNAL) << ""
                                 << int(absl::StatusCode::kInternal) << "failed without a message";
}

void RpcStatusTest::mapsFailures() {
  QFETCH(int, grpc_code);
  QFETCH(QString, grpc_message);
  QFETCH(int, absl_code);
  QFETCH(QString, expected);
  const absl::Status s = orch::client::fromGrpcStatus(
      grpc::Status(static_cast<grpc::StatusCode>(grpc_code), grpc_message.toStdString()),
      "master at 127.0.0.1:5050");
  QCOMPARE(int(s.code()), absl_code);
  const QString message = QString::fromStdString(std::string(s.message()));
  QVERIFY2(message.contains(expected), qPrintable(message));
}

void RpcStatusTest::okStaysOk() {
  QVERIFY(orch::client::fromGrpcStatus(grpc::Status::OK, "master at x:1").ok());
}

QTEST_APPLESS_MAIN(RpcStatusTest)
#include "rpc_status_test.moc"
