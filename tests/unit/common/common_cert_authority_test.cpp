// Cluster CA: files, modes, subjects, SANs, chain verification and refusal paths.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/config/json_file.h"
#include "common/tls/cert_authority.h"

using orch::tls::CertRole;

namespace {

unsigned fileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0xFFFF;
  return st.st_mode & 0777;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string str(const QString& s) { return s.toStdString(); }

// Purpose checks straight from OpenSSL, independent of our own parsing.
bool hasPurpose(const std::string& cert_path, int purpose) {
  FILE* f = std::fopen(cert_path.c_str(), "r");
  if (f == nullptr) return false;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return false;
  bool ok = X509_check_purpose(cert, purpose, 0) == 1;
  X509_free(cert);
  return ok;
}

}  // namespace

class CertAuthorityTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void createsCaFilesWithModes() {
    QTemporaryDir tmp;
    const std::string dir = str(tmp.path()) + "/ca";
    absl::Status st = orch::tls::createCertificateAuthority(dir, "prod-east");
    QVERIFY2(st.ok(), st.ToString().c_str());
    QCOMPARE(fileMode(dir + "/ca.key"), 0600u);
    QVERIFY(fileMode(dir + "/ca.crt") != 0xFFFF);
    auto info = orch::tls::readCertificateInfo(dir + "/ca.crt");
    QVERIFY2(info.ok(), info.status().ToString().c_str());
    QVERIFY(info->is_ca);
    QCOMPARE(info->organization, std::string("prod-east"));
    QCOMPARE(info->common_name, std::string("prod-east CA"));
    const std::int64_t now = std::time(nullptr);
    const std::int64_t years10 = 3650LL * 86400;
    QVERIFY(info->not_before_unix <= now);
    QVERIFY(std::llabs(info->not_after_unix - (now + years10)) < 3600);
    // A self-signed CA verifies against itself.
    QVERIFY(orch::tls::verifyCertificate(dir + "/ca.crt", dir + "/ca.crt").ok());
  }

  void refusesToOverwriteCa() {
    QTemporaryDir tmp;
    const std::string dir = str(tmp.path());
    QVERIFY(orch::tls::createCertificateAuthority(dir, "c1").ok());
    auto before = orch::config::readFileToString(dir + "/ca.crt");
    QVERIFY(before.ok());
    absl::Status st = orch::tls::createCertificateAuthority(dir, "c1");
    QCOMPARE(st.code(), absl::StatusCode::kAlreadyExists);
    QVERIFY2(std::string(st.message()).find("ca.crt") != std::string::npos, st.ToString().c_str());
    QCOMPARE(*orch::config::readFileToString(dir + "/ca.crt"), *before);

    // Only the key left behind is refused as well.
    QTemporaryDir tmp2;
    const std::string dir2 = str(tmp2.path());
    std::ofstream(dir2 + "/ca.key") << "x";
    st = orch::tls::createCertificateAuthority(dir2, "c1");
    QCOMPARE(st.code(), absl::StatusCode::kAlreadyExists);
    QVERIFY(std::string(st.message()).find("ca.key") != std::string::npos);
  }

  void rejectsBlankClusterName() {
    QTemporaryDir tmp;
    QCOMPARE(orch::tls::createCertificateAuthority(str(tmp.path()), "  ").code(),
             absl::StatusCode::kInvalidArgument);
  }

  void issuesVerifiableCertificate() {
    QTemporaryDir tmp;
    const std::string ca = str(tmp.path()) + "/ca";
    const std::string out = str(tmp.path()) + "/certs";
    QVERIFY(orch::tls::createCertificateAuthority(ca, "lab").ok());
    absl::Status st = orch::tls::issueCertificate(ca, out, "agent-7", CertRole::kAgent,
                                                  {"10.1.2.3", "Node1.Example.com", "fd00::5"});
    QVERIFY2(st.ok(), st.ToString().c_str());
    QCOMPARE(fileMode(out + "/agent-7.key"), 0600u);
    st = orch::tls::verifyCertificate(ca + "/ca.crt", out + "/agent-7.crt");
    QVERIFY2(st.ok(), st.ToString().c_str());

    auto info = orch::tls::readCertificateInfo(out + "/agent-7.crt");
    QVERIFY(info.ok());
    QCOMPARE(info->common_name, std::string("agent-7"));
    QCOMPARE(info->organization, std::string("lab"));
    QCOMPARE(info->organizational_unit, std::string("agent"));
    QCOMPARE(info->issuer_common_name, std::string("lab CA"));
    QVERIFY(!info->is_ca);
    QVERIFY(contains(info->dns_names, "localhost"));
    QVERIFY(contains(info->dns_names, "agent-7"));
    QVERIFY(contains(info->dns_names, "node1.example.com"));
    QVERIFY(contains(info->ip_addresses, "127.0.0.1"));
    QVERIFY(contains(info->ip_addresses, "10.1.2.3"));
    QVERIFY(contains(info->ip_addresses, "fd00::5"));
    QVERIFY(!contains(info->dns_names, "10.1.2.3"));
    const std::int64_t now = std::time(nullptr);
    QVERIFY(std::llabs(info->not_after_unix - (now + 365LL * 86400)) < 3600);
    QVERIFY(hasPurpose(out + "/agent-7.crt", X509_PURPOSE_SSL_SERVER));
    QVERIFY(hasPurpose(out + "/agent-7.crt", X509_PURPOSE_SSL_CLIENT));

    // Random 128-bit serials: two issues differ, and are long.
    QVERIFY(orch::tls::issueCertificate(ca, out, "agent-8", CertRole::kAgent).ok());
    auto other = orch::tls::readCertificateInfo(out + "/agent-8.crt");
    QVERIFY(other.ok());
    QVERIFY(info->serial_hex != other->serial_hex);
    QVERIFY(info->serial_hex.size() >= 31);
  }

  void nameThatIsNotAHostGetsNoDnsEntry() {
    QTemporaryDir tmp;
    const std::string dir = str(tmp.path());
    QVERIFY(orch::tls::createCertificateAuthority(dir, "lab").ok());
    QVERIFY(orch::tls::issueCertificate(dir, dir, "ops_alice", CertRole::kOperator).ok());
    auto info = orch::tls::readCertificateInfo(dir + "/ops_alice.crt");
    QVERIFY(info.ok());
    QCOMPARE(info->organizational_unit, std::string("operator"));
    QVERIFY(!contains(info->dns_names, "ops_alice"));
    QVERIFY(contains(info->dns_names, "localhost"));
  }

  void certificateFromOtherCaDoesNotVerify() {
    QTemporaryDir tmp;
    const std::string a = str(tmp.path()) + "/a";
    const std::string b = str(tmp.path()) + "/b";
    QVERIFY(orch::tls::createCertificateAuthority(a, "a").ok());
    QVERIFY(orch::tls::createCertificateAuthority(b, "b").ok());
    QVERIFY(orch::tls::issueCertificate(b, b, "m", CertRole::kMaster).ok());
    absl::Status st = orch::tls::verifyCertificate(a + "/ca.crt", b + "/m.crt");
    QCOMPARE(st.code(), absl::StatusCode::kFailedPrecondition);
  }

  void issueRejectsBadInput_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("hosts");
    QTest::addColumn<int>("code");
    const int invalid = static_cast<int>(absl::StatusCode::kInvalidArgument);
    QTest::newRow("empty name") << "" << QStringList{} << invalid;
    QTest::newRow("path traversal") << "../evil" << QStringList{} << invalid;
    QTest::newRow("slash") << "a/b" << QStringList{} << invalid;
    QTest::newRow("hidden") << ".hidden" << QStringList{} << invalid;
    QTest::newRow("space") << "a b" << QStringList{} << invalid;
    QTest::newRow("bad host") << "ok" << QStringList{"bad host!"} << invalid;
    QTest::newRow("comma host") << "ok" << QStringList{"a,DNS:evil"} << invalid;
    QTest::newRow("good") << "ok" << QStringList{"h.example", "192.168.0.1"} << 0;
  }
  void issueRejectsBadInput() {
    QFETCH(QString, name);
    QFETCH(QStringList, hosts);
    QFETCH(int, code);
    QTemporaryDir tmp;
    const std::string dir = str(tmp.path());
    QVERIFY(orch::tls::createCertificateAuthority(dir, "lab").ok());
    std::vector<std::string> extra;
    for (const QString& h : hosts) extra.push_back(str(h));
    absl::Status st = orch::tls::issueCertificate(dir, dir + "/out", str(name), CertRole::kAgent, extra);
    QCOMPARE(static_cast<int>(st.code()), code);
  }

  void issueWithoutCaNamesThePath() {
    QTemporaryDir tmp;
    const std::string dir = str(tmp.path()) + "/nope";
    absl::Status st = orch::tls::issueCertificate(dir, str(tmp.path()), "x", CertRole::kAgent);
    QCOMPARE(st.code(), absl::StatusCode::kNotFound);
    QVERIFY2(std::string(st.message()).find(dir + "/ca.crt") != std::string::npos, st.ToString().c_str());
  }

  void issueWithMismatchedCaKeyFails() {
    QTemporaryDir tmp;
    const std::string a = str(tmp.path()) + "/a";
    const std::string b = str(tmp.path()) + "/b";
    QVERIFY(orch::tls::createCertificateAuthority(a, "a").ok());
    QVERIFY(orch::tls::createCertificateAuthority(b, "b").ok());
    QVERIFY(std::rename((b + "/ca.key").c_str(), (a + "/ca.key").c_str()) == 0);
    absl::Status st = orch::tls::issueCertificate(a, a, "x", CertRole::kAgent);
    QCOMPARE(st.code(), absl::StatusCode::kFailedPrecondition);
  }

  void parseCertRole_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("role");
    QTest::newRow("master") << "master" << true << static_cast<int>(CertRole::kMaster);
    QTest::newRow("agent upper") << "AGENT" << true << static_cast<int>(CertRole::kAgent);
    QTest::newRow("operator spaced") << " operator " << true << static_cast<int>(CertRole::kOperator);
    QTest::newRow("framework") << "framework" << true << static_cast<int>(CertRole::kFramework);
    QTest::newRow("empty") << "" << false << 0;
    QTest::newRow("unknown") << "admin" << false << 0;
  }
  void parseCertRole() {
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(int, role);
    auto parsed = orch::tls::parseCertRole(str(text));
    QCOMPARE(parsed.ok(), ok);
    if (ok) {
      QCOMPARE(static_cast<int>(*parsed), role);
      QCOMPARE(static_cast<int>(orch::tls::parseCertRole(orch::tls::toString(*parsed)).value()), role);
    } else {
      QVERIFY(std::string(parsed.status().message()).find(str(text)) != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(CertAuthorityTest)
#include "common_cert_authority_test.moc"
