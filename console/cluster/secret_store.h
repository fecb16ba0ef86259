// Secrets (private-key passphrases, tokens) in the desktop keychain through QtKeychain (the
// Secret Service on Linux), never in a plain file. Asynchronous; results on the GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace orch::console {

class SecretStore : public QObject {
  Q_OBJECT

 public:
  // `service` groups the entries in the keychain ("orchestrator-console").
  explicit SecretStore(QString service = QStringLiteral("orchestrator-console"), QObject* parent = nullptr);

  // `done(error)`: empty error on success, otherwise the keychain's reason in words.
  void write(const QString& key, const QString& secret, std::function<void(QString error)> done);
  // `done(secret, error)`: NotFound is an error ("no secret stored for ...").
  void read(const QString& key, std::function<void(QString secret, QString error)> done);
  void remove(const QString& key, std::function<void(QString error)> done);

  // Blocking variants that spin a local event loop (tests, startup); timeout in ms.
  QString writeAndWait(const QString& key, const QString& secret, int timeoutMs = 10000);
  std::pair<QString, QString> readAndWait(const QString& key, int timeoutMs = 10000);

  // The keychain key of a profile's secret, e.g. "profile/prod/key-passphrase".
  static QString profileKey(const QString& profile, const QString& what);

 private:
  QString service_;
};

}  // namespace orch::console
