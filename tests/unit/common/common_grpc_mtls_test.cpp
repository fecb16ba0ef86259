// Real mTLS over gRPC on loopback: a generic callback service answers "<CN>|<OU>" of the caller,
// as seen by peerPrincipal()/peerRole(), and the handshake refuses every unauthenticated peer.
#include <chrono>
#include <future>
#include <memory>

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>

#include "common/config/json_file.h"
#include "common/tls/cert_authority.h"
#include "common/tls/grpc_tls.h"

using orch::tls::CertRole;
using orch::tls::TlsFiles;

namespace {

constexpr const char* kWhoAmI = "/orch.test.Identity/WhoAmI";

std::string str(const QString& s) { return s.toStdString(); }

// Answers one request with the caller's principal and role.
class IdentityService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(grpc::GenericCallbackServerContext* ctx) : ctx_(ctx) {
        if (ctx_->method() != kWhoAmI) {
          Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no such method"));
          return;
        }
        StartRead(&request_);
      }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
          return;
        }
        std::string answer = orch::tls::peerPrincipal(*ctx_) + "|" + orch::tls::peerRole(*ctx_);
        grpc::Slice slice(answer);
        response_ = grpc::ByteBuffer(&slice, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      grpc::GenericCallbackServerContext* ctx_;
      grpc::ByteBuffer request_;
      grpc::ByteBuffer response_;
    };
    return new Reactor(ctx);
  }
};

struct CallResult {
  grpc::Status status;
  std::string body;
};

CallResult callWhoAmI(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(std::string("hi"));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, kWhoAmI, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  CallResult result;
  result.status = done.get_future().get();
  if (result.status.ok()) {
    std::vector<grpc::Slice> slices;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) result.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return result;
}

}  // namespace

class GrpcMtlsTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  std::string good_;   // CA "good": master (server), agent-1 and ops-bob (clients)
  std::string rogue_;  // CA "rogue": an agent and a master the good cluster must not trust
  IdentityService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

  std::shared_ptr<grpc::Channel> channelWith(const TlsFiles& files) {
    auto creds = orch::tls::makeChannelCredentials(files);
    if (!creds.ok()) qFatal("channel credentials: %s", creds.status().ToString().c_str());
    return orch::tls::makeChannel(target(), *creds);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    good_ = str(tmp_.path()) + "/good";
    rogue_ = str(tmp_.path()) + "/rogue";
    QVERIFY(orch::tls::createCertificateAuthority(good_, "good").ok());
    QVERIFY(orch::tls::createCertificateAuthority(rogue_, "rogue").ok());
    QVERIFY(orch::tls::issueCertificate(good_, good_, "master", CertRole::kMaster).ok());
    QVERIFY(orch::tls::issueCertificate(good_, good_, "agent-1", CertRole::kAgent).ok());
    QVERIFY(orch::tls::issueCertificate(good_, good_, "ops-bob", CertRole::kOperator).ok());
    QVERIFY(orch::tls::issueCertificate(rogue_, rogue_, "agent-1", CertRole::kAgent).ok());
    QVERIFY(orch::tls::issueCertificate(rogue_, rogue_, "master", CertRole::kMaster).ok());

    auto creds = orch::tls::makeServerCredentials(orch::tls::tlsFilesIn(good_, "master"));
    QVERIFY2(creds.ok(), creds.status().ToString().c_str());
    grpc::ServerBuilder builder;
    orch::tls::applyServerChannelArgs(builder);
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    QVERIFY(server_ != nullptr);
    QVERIFY(port_ > 0);
  }

  void cleanupTestCase() {
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_->Wait();
    }
  }

  void caIssuedClientIsAcceptedAndIdentified_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::newRow("agent") << "agent-1" << "agent-1|agent";
    QTest::newRow("operator") << "ops-bob" << "ops-bob|operator";
  }
  void caIssuedClientIsAcceptedAndIdentified() {
    QFETCH(QString, name);
    QFETCH(QString, expected);
    CallResult r = callWhoAmI(channelWith(orch::tls::tlsFilesIn(good_, str(name))));
    QVERIFY2(r.status.ok(), r.status.error_message().c_str());
    QCOMPARE(QString::fromStdString(r.body), expected);
  }

  void explicitServerNameOverrideWorks() {
    auto creds = orch::tls::makeChannelCredentials(orch::tls::tlsFilesIn(good_, "agent-1"));
    QVERIFY(creds.ok());
    // "master" is in the server certificate's SAN; a name that is not must fail.
    CallResult ok = callWhoAmI(orch::tls::makeChannel(target(), *creds, "master"));
    QVERIFY2(ok.status.ok(), ok.status.error_message().c_str());
    CallResult bad = callWhoAmI(orch::tls::makeChannel(target(), *creds, "not-the-master"));
    QCOMPARE(bad.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  }

  void clientWithoutCertificateIsRefused() {
    grpc::SslCredentialsOptions opts;
    opts.pem_root_certs = orch::config::readFileToString(good_ + "/ca.crt").value();
    auto channel = orch::tls::makeChannel(target(), grpc::SslCredentials(opts));
    CallResult r = callWhoAmI(channel);
    QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  }

  void clientFromOtherCaIsRefused() {
    // Trusts the good CA (so the server verifies) but presents a rogue-CA certificate.
    TlsFiles files{good_ + "/ca.crt", rogue_ + "/agent-1.crt", rogue_ + "/agent-1.key"};
    CallResult r = callWhoAmI(channelWith(files));
    QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  }

  void plaintextClientIsRefused() {
    auto channel = grpc::CreateChannel(target(), grpc::InsecureChannelCredentials());
    CallResult r = callWhoAmI(channel);
    QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  }

  void serverFromOtherCaIsRefusedByClient() {
    auto creds = orch::tls::makeServerCredentials(orch::tls::tlsFilesIn(rogue_, "master"));
    QVERIFY(creds.ok());
    IdentityService rogue_service;
    grpc::ServerBuilder builder;
    int rogue_port = 0;
    builder.AddListeningPort("127.0.0.1:0", *creds, &rogue_port);
    builder.RegisterCallbackGenericService(&rogue_service);
    std::unique_ptr<grpc::Server> rogue = builder.BuildAndStart();
    QVERIFY(rogue != nullptr);
    auto client = orch::tls::makeChannelCredentials(orch::tls::tlsFilesIn(good_, "agent-1"));
    QVERIFY(client.ok());
    CallResult r = callWhoAmI(orch::tls::makeChannel("127.0.0.1:" + std::to_string(rogue_port), *client));
    rogue->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    rogue->Wait();
    QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  }

  void credentialErrorsNameThePath() {
    TlsFiles missing = orch::tls::tlsFilesIn(good_, "nobody");
    auto server = orch::tls::makeServerCredentials(missing);
    QCOMPARE(server.status().code(), absl::StatusCode::kNotFound);
    QVERIFY2(std::string(server.status().message()).find(missing.cert) != std::string::npos,
             server.status().ToString().c_str());
    auto channel = orch::tls::makeChannelCredentials(TlsFiles{good_ + "/ca.crt", good_ + "/master.crt",
                                                              good_ + "/agent-1.key"});
    QCOMPARE(channel.status().code(), absl::StatusCode::kInvalidArgument);
    QVERIFY(std::string(channel.status().message()).find("does not match") != std::string::npos);
    auto not_pem = orch::tls::makeChannelCredentials(TlsFiles{good_ + "/ca.key", good_ + "/master.crt",
                                                              good_ + "/master.key"});
    QCOMPARE(not_pem.status().code(), absl::StatusCode::kInvalidArgument);
    QVERIFY(std::string(not_pem.status().message()).find(good_ + "/ca.key") != std::string::npos);
  }

  // The negotiated protocol as OpenSSL's own client reports it.
  void negotiatesTls13() {
    const QString openssl = QStandardPaths::findExecutable("openssl");
    if (openssl.isEmpty()) QSKIP("openssl command-line tool not installed");
    QProcess p;
    p.start(openssl, {"s_client", "-connect", QString::fromStdString(target()), "-brief", "-alpn", "h2",
                      "-CAfile", QString::fromStdString(good_ + "/ca.crt"),
                      "-cert", QString::fromStdString(good_ + "/agent-1.crt"),
                      "-key", QString::fromStdString(good_ + "/agent-1.key")});
    QVERIFY(p.waitForStarted());
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(20000));
    // stdout also carries the server's raw HTTP/2 SETTINGS frame; keep only printable text.
    QString out = QString::fromLatin1(p.readAllStandardError() + p.readAllStandardOutput());
    out.remove(QRegularExpression("[^\\x20-\\x7e\\n]"));
    qInfo("openssl s_client: %s", qPrintable(out.simplified()));
    QVERIFY2(out.contains("Protocol version: TLSv1.3"), qPrintable(out));

    // gRPC 1.51 offers no C++ knob for a TLS minimum, so TLS 1.2 is still accepted: record it.
    QProcess p12;
    p12.start(openssl, {"s_client", "-connect", QString::fromStdString(target()), "-brief", "-alpn", "h2",
                        "-tls1_2", "-CAfile", QString::fromStdString(good_ + "/ca.crt"),
                        "-cert", QString::fromStdString(good_ + "/agent-1.crt"),
                        "-key", QString::fromStdString(good_ + "/agent-1.key")});
    QVERIFY(p12.waitForStarted());
    p12.closeWriteChannel();
    QVERIFY(p12.waitForFinished(20000));
    const QString out12 = QString::fromLocal8Bit(p12.readAllStandardOutput() + p12.readAllStandardError());
    qInfo("TLS 1.2 forced by the client is %s",
          out12.contains("Protocol version: TLSv1.2") ? "accepted (gRPC default range 1.2-1.3)" : "refused");
  }
};

QTEST_APPLESS_MAIN(GrpcMtlsTest)
#include "common_grpc_mtls_test.moc"
