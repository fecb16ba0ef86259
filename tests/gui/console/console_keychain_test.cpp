// SecretStore against a real Secret Service (gnome-keyring-daemon in its own D-Bus session,
// started by run_with_keyring.sh): a secret is stored, read back, overwritten and removed.
#include <QEventLoop>
#include <QTest>
#include <QTimer>

#include "cluster/secret_store.h"

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
};

QTEST_GUILESS_MAIN(ConsoleKeychainTest)
#include "console_keychain_test.moc"
