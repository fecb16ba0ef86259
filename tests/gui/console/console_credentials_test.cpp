// Encrypted client keys: decrypted in memory with their passphrase (OpenSSL), handed to gRPC as
// PEM text, and a wrong or missing passphrase reported in words by ClusterCredentials and in the
// Connect dialog. Keys are encrypted here with the OpenSSL API and with the openssl CLI.
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "cluster/cluster_credentials.h"
#include "cluster/private_key_pem.h"
#include "common/tls/cert_authority.h"
#include "dialogs/connect_dialog.h"

using namespace orch::console;

namespace {

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& data) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

}  // namespace

class ConsoleCredentialsTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString plainKey_;      // operator.key as issued
  QString encryptedKey_;  // the same key, PKCS#8 AES-256 under kPassphrase (OpenSSL API)
  static constexpr const char* kPassphrase = "correct horse battery staple";

  orch::client::ClientConfig config(const QString& key) const {
    orch::client::ClientConfig c;
    c.masters = {"127.0.0.1:5050"};
    c.tls.ca_cert = dir_.filePath(QStringLiteral("ca.crt")).toStdString();
    c.tls.cert = dir_.filePath(QStringLiteral("operator.crt")).toStdString();
    c.tls.key = key.toStdString();
    return c;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const std::string d = dir_.path().toStdString();
    QVERIFY(orch::tls::createCertificateAuthority(d, "test").ok());
    QVERIFY(orch::tls::issueCertificate(d, d, "operator", orch::tls::CertRole::kOperator).ok());
    QVERIFY(orch::tls::issueCertificate(d, d, "other", orch::tls::CertRole::kOperator).ok());
    plainKey_ = dir_.filePath(QStringLiteral("operator.key"));
    const QByteArray plain = readAll(plainKey_);
    QVERIFY(!isEncryptedPrivateKeyPem(plain.toStdString()));
    auto encrypted = encryptPrivateKeyPem(plain.toStdString(), kPassphrase);
    QVERIFY2(encrypted.ok(), std::string(encrypted.status().message()).c_str());
    QVERIFY(isEncryptedPrivateKeyPem(*encrypted));
    QVERIFY(encrypted->find("PRIVATE KEY") != std::string::npos);
    encryptedKey_ = dir_.filePath(QStringLiteral("operator-encrypted.key"));
    QVERIFY(writeAll(encryptedKey_, QByteArray::fromStdString(*encrypted)));
  }

  void decryptRoundTrip_data() {
    QTest::addColumn<QString>("passphrase");
    QTest::addColumn<int>("code");  // absl::StatusCode
    QTest::addColumn<QString>("error");
    QTest::newRow("right") << QString::fromLatin1(kPassphrase) << int(absl::StatusCode::kOk) << "";
    QTest::newRow("wrong") << "correct horse battery stapler" << int(absl::StatusCode::kPermissionDenied)
                           << "wrong passphrase for private key";
    QTest::newRow("missing") << "" << int(absl::StatusCode::kFailedPrecondition) << "is encrypted: enter its passphrase";
  }
  void decryptRoundTrip() {
    QFETCH(QString, passphrase);
    QFETCH(int, code);
    QFETCH(QString, error);
    const auto decrypted = decryptPrivateKeyPem(readAll(encryptedKey_).toStdString(), passphrase.toStdString(),
                                                encryptedKey_.toStdString());
    QCOMPARE(int(decrypted.status().code()), code);
    if (!decrypted.ok()) {
      const QString message = QString::fromStdString(std::string(decrypted.status().message()));
      QVERIFY2(message.contains(error) && message.contains(encryptedKey_), qPrintable(message));
      return;
    }
    QVERIFY(!isEncryptedPrivateKeyPem(*decrypted));
    // The same key as the plain file (both re-encoded as PKCS#8).
    const auto plain = decryptPrivateKeyPem(readAll(plainKey_).toStdString(), "", "plain");
    QVERIFY(plain.ok());
    QCOMPARE(*decrypted, *plain);
  }

  void notAKeyIsInvalidArgument() {
    const auto result = decryptPrivateKeyPem("hello", "", "/x/junk.key");
    QCOMPARE(result.status().code(), absl::StatusCode::kInvalidArgument);
    QVERIFY(std::string(result.status().message()).find("/x/junk.key") != std::string::npos);
  }

  // Keys encrypted by the openssl CLI: PKCS#8 (the default of `openssl pkey`) and the legacy
  // "Proc-Type: 4,ENCRYPTED" form.
  void opensslCliKeys_data() {
    QTest::addColumn<QStringList>("args");
    QTest::newRow("pkcs8 aes256") << QStringList{"pkey", "-aes256"};
    QTest::newRow("legacy aes128") << QStringList{"pkey", "-aes128", "-traditional"};
  }
  void opensslCliKeys() {
    QFETCH(QStringList, args);
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) QSKIP("the openssl command is not installed (Debian package openssl)");
    const QString out = dir_.filePath(QStringLiteral("cli-%1.key").arg(QTest::currentDataTag()).replace(' ', '-'));
    QProcess p;
    p.start(openssl, args + QStringList{"-in", plainKey_, "-out", out, "-passout", "pass:s3cret-cli"});
    QVERIFY(p.waitForFinished(30000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY(isEncryptedPrivateKeyPem(readAll(out).toStdString()));
    auto wrong = ClusterCredentials::load(config(out), "not-it");
    QCOMPARE(wrong.status().code(), absl::StatusCode::kPermissionDenied);
    auto right = ClusterCredentials::load(config(out), "s3cret-cli");
    QVERIFY2(right.ok(), std::string(right.status().message()).c_str());
    QVERIFY((*right)->keyWasEncrypted());
    QVERIFY((*right)->channelCredentials() != nullptr);
  }

  void credentialsLoad_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("passphrase");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("error");
    QTest::newRow("plain key") << "operator.key" << "operator.crt" << "" << int(absl::StatusCode::kOk) << "";
    QTest::newRow("plain key, passphrase ignored") << "operator.key" << "operator.crt" << "x" << int(absl::StatusCode::kOk)
                                                   << "";
    QTest::newRow("encrypted, right") << "operator-encrypted.key" << "operator.crt" << kPassphrase
                                      << int(absl::StatusCode::kOk) << "";
    QTest::newRow("encrypted, wrong") << "operator-encrypted.key" << "operator.crt" << "nope"
                                      << int(absl::StatusCode::kPermissionDenied) << "wrong passphrase";
    QTest::newRow("encrypted, none") << "operator-encrypted.key" << "operator.crt" << ""
                                     << int(absl::StatusCode::kFailedPrecondition) << "enter its passphrase";
    QTest::newRow("key of another cert") << "operator-encrypted.key" << "other.crt" << kPassphrase
                                         << int(absl::StatusCode::kInvalidArgument) << "does not match certificate";
    QTest::newRow("missing key file") << "absent.key" << "operator.crt" << "" << int(absl::StatusCode::kNotFound)
                                      << "does not exist";
  }
  void credentialsLoad() {
    QFETCH(QString, key);
    QFETCH(QString, cert);
    QFETCH(QString, passphrase);
    QFETCH(int, code);
    QFETCH(QString, error);
    auto c = config(dir_.filePath(key));
    c.tls.cert = dir_.filePath(cert).toStdString();
    const auto loaded = ClusterCredentials::load(c, passphrase.toStdString());
    QCOMPARE(int(loaded.status().code()), code);
    if (!loaded.ok()) {
      QVERIFY2(QString::fromStdString(std::string(loaded.status().message())).contains(error),
               std::string(loaded.status().message()).c_str());
      return;
    }
    QVERIFY((*loaded)->channelCredentials() != nullptr);
    QCOMPARE((*loaded)->keyWasEncrypted(), key.contains(QStringLiteral("encrypted")));
    QVERIFY(!(*loaded)->usesZooKeeper());
    const auto channels = (*loaded)->masterChannels();
    QVERIFY(channels.ok());
    QCOMPARE((*channels)->size(), size_t(1));
  }

  // The Connect dialog: a wrong passphrase keeps it open with the reason; the right one connects.
  void dialogReportsWrongPassphrase() {
    QTemporaryDir profiles;
    ConnectDialog dialog(nullptr, ClusterProfileStore(profiles.filePath(QStringLiteral("p.json"))),
                         QStringLiteral("orchestrator-console-test"));
    dialog.findChild<QLineEdit*>(QStringLiteral("name"))->setText(QStringLiteral("secure"));
    dialog.findChild<QLineEdit*>(QStringLiteral("masters"))->setText(QStringLiteral("127.0.0.1:5050"));
    dialog.findChild<QLineEdit*>(QStringLiteral("ca"))->setText(dir_.filePath(QStringLiteral("ca.crt")));
    dialog.findChild<QLineEdit*>(QStringLiteral("cert"))->setText(dir_.filePath(QStringLiteral("operator.crt")));
    dialog.findChild<QLineEdit*>(QStringLiteral("key"))->setText(encryptedKey_);
    auto* passphrase = dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"));
    QCOMPARE(passphrase->echoMode(), QLineEdit::Password);

    passphrase->setText(QStringLiteral("guess"));
    dialog.saveAndAccept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY2(dialog.errorText().contains(QStringLiteral("Wrong passphrase")), qPrintable(dialog.errorText()));
    QVERIFY(dialog.errorText().contains(encryptedKey_));
    QVERIFY(dialog.credentials() == nullptr);
    QVERIFY2(!QFile::exists(profiles.filePath(QStringLiteral("p.json"))), "a profile that cannot connect is not saved");

    passphrase->setText(QString::fromLatin1(kPassphrase));
    dialog.saveAndAccept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(dialog.errorText().isEmpty());
    QVERIFY(dialog.credentials() != nullptr);
    QVERIFY(dialog.credentials()->keyWasEncrypted());
    // The profile is saved without the passphrase.
    const QByteArray saved = readAll(profiles.filePath(QStringLiteral("p.json")));
    QVERIFY(saved.contains("operator-encrypted.key"));
    QVERIFY(!saved.contains(kPassphrase));
  }
};

QTEST_MAIN(ConsoleCredentialsTest)
#include "console_credentials_test.moc"
