// SecretStore against a real Secret Service (gnome-keyring-daemon in its own D-Bus session,
// started by run_with_keyring.sh): a secret is stored, read back, overwritten and removed; the
// Connect dialog keeps an encrypted key's passphrase there and opens the key with it later.
#include <QEventLoop>
#include <QFile>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "cluster/private_key_pem.h"
#include "cluster/secret_store.h"
#include "common/tls/cert_authority.h"
#include "dialogs/connect_dialog.h"

using namespace orch::console;

class ConsoleKeychainTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") || qEnvironmentVariableIsEmpty("ORCH_KEYRING_READY")) {
      QSKIP("no Secret Service: run this test through tests/gui/console/run_with_keyring.sh (ctest does)");
    }
  }

  void storesAndReadsASecret() {
    SecretStore store(QStringLiteral("orchestrator-console-test"));
    const QString key = SecretStore::profileKey(QStringLiteral("prod"), QStringLiteral("key-passphrase"));
    QCOMPARE(key, QStringLiteral("profile/prod/key-passphrase"));
    QCOMPARE(store.writeAndWait(key, QStringLiteral("correct horse battery staple")), QString());
    auto [secret, error] = store.readAndWait(key);
    QCOMPARE(error, QString());
    QCOMPARE(secret, QStringLiteral("correct horse battery staple"));

    QCOMPARE(store.writeAndWait(key, QStringLiteral("rotated")), QString());
    QCOMPARE(store.readAndWait(key).first, QStringLiteral("rotated"));
  }

  void aMissingSecretIsAnErrorNamingIt() {
    SecretStore store(QStringLiteral("orchestrator-console-test"));
    const auto [secret, error] = store.readAndWait(QStringLiteral("profile/none/token"));
    QVERIFY(secret.isEmpty());
    QVERIFY2(error.contains(QStringLiteral("profile/none/token")), qPrintable(error));
  }

  void removedSecretsAreGone() {
    SecretStore store(QStringLiteral("orchestrator-console-test"));
    const QString key = QStringLiteral("profile/tmp/token");
    QCOMPARE(store.writeAndWait(key, QStringLiteral("t0k3n")), QString());
    QEventLoop loop;
    QString removeError = QStringLiteral("not called");
    store.remove(key, [&](QString error) {
      removeError = error;
      loop.quit();
    });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    QCOMPARE(removeError, QString());
    QVERIFY(!store.readAndWait(key).second.isEmpty());
  }

  void dialogOpensAnEncryptedKeyWithTheKeychainPassphrase() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    QVERIFY(orch::tls::createCertificateAuthority(d, "test").ok());
    QVERIFY(orch::tls::issueCertificate(d, d, "operator", orch::tls::CertRole::kOperator).ok());
    QFile plain(dir.filePath(QStringLiteral("operator.key")));
    QVERIFY(plain.open(QIODevice::ReadOnly));
    auto encrypted = encryptPrivateKeyPem(plain.readAll().toStdString(), "kept-in-the-keychain");
    QVERIFY(encrypted.ok());
    const QString keyPath = dir.filePath(QStringLiteral("operator-encrypted.key"));
    QFile key(keyPath);
    QVERIFY(key.open(QIODevice::WriteOnly));
    key.write(QByteArray::fromStdString(*encrypted));
    key.close();
    const QString profiles = dir.filePath(QStringLiteral("profiles.json"));
    const QString service = QStringLiteral("orchestrator-console-test");

    {  // First connect: the passphrase is typed and kept in the keychain.
      ConnectDialog dialog(nullptr, ClusterProfileStore(profiles), service);
      dialog.findChild<QLineEdit*>(QStringLiteral("name"))->setText(QStringLiteral("secure"));
      dialog.findChild<QLineEdit*>(QStringLiteral("masters"))->setText(QStringLiteral("127.0.0.1:5050"));
      dialog.findChild<QLineEdit*>(QStringLiteral("ca"))->setText(dir.filePath(QStringLiteral("ca.crt")));
      dialog.findChild<QLineEdit*>(QStringLiteral("cert"))->setText(dir.filePath(QStringLiteral("operator.crt")));
      dialog.findChild<QLineEdit*>(QStringLiteral("key"))->setText(keyPath);
      dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"))->setText(QStringLiteral("kept-in-the-keychain"));
      dialog.saveAndAccept();
      QVERIFY2(dialog.result() == QDialog::Accepted, qPrintable(dialog.errorText()));
      QCOMPARE(dialog.keychainWarning(), QString());
    }
    SecretStore store(service);
    QCOMPARE(store.readAndWait(ConnectDialog::passphraseKey(QStringLiteral("secure"))).first,
             QStringLiteral("kept-in-the-keychain"));
    {  // Next time the saved profile opens with the keychain's passphrase, nothing typed.
      ConnectDialog dialog(nullptr, ClusterProfileStore(profiles), service);
      QCOMPARE(dialog.profile().key, keyPath);
      QVERIFY(dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"))->text().isEmpty());
      dialog.saveAndAccept();
      QVERIFY2(dialog.result() == QDialog::Accepted, qPrintable(dialog.errorText()));
      QVERIFY(dialog.credentials() != nullptr && dialog.credentials()->keyWasEncrypted());
    }
    {  // A stale passphrase in the keychain is reported in the dialog.
      QCOMPARE(store.writeAndWait(ConnectDialog::passphraseKey(QStringLiteral("secure")), QStringLiteral("old")), QString());
      ConnectDialog dialog(nullptr, ClusterProfileStore(profiles), service);
      dialog.saveAndAccept();
      QCOMPARE(dialog.result(), int(QDialog::Rejected));
      QVERIFY2(dialog.errorText().contains(QStringLiteral("keychain no longer opens")), qPrintable(dialog.errorText()));
    }
  }
};

QTEST_MAIN(ConsoleKeychainTest)
#include "console_keychain_test.moc"
