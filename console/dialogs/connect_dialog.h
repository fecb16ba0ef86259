// Connect to Cluster: pick or edit a cluster profile (masters as a host:port list or one zk://
// URL, CA, certificate, key) or use orchctl's settings. An encrypted client key is opened here
// with its passphrase (typed, or read from the keychain); a wrong one is reported in the dialog
// and the dialog stays open. A typed passphrase goes to the keychain (SecretStore), never into
// the profiles file.
#pragma once

#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>

#include "absl/status/statusor.h"
#include "client/client_config.h"
#include "cluster/cluster_credentials.h"
#include "cluster/cluster_profile.h"
#include "cluster/secret_store.h"

namespace orch::console {

class ConnectDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ConnectDialog(QWidget* parent = nullptr, ClusterProfileStore store = ClusterProfileStore(),
                         QString keychainService = QStringLiteral("orchestrator-console"));

  // The settings the user chose (validated).
  absl::StatusOr<client::ClientConfig> clientConfig() const;
  ClusterProfile profile() const;
  // After Save and Connect: the profile's TLS credentials with the key decrypted.
  std::shared_ptr<const ClusterCredentials> credentials() const { return credentials_; }
  // The error shown in the dialog ("" when none).
  QString errorText() const;
  // Why the passphrase could not be kept in the keychain ("" when it was, or none was typed).
  QString keychainWarning() const { return keychainWarning_; }

  // The keychain entry of a profile's key passphrase.
  static QString passphraseKey(const QString& profile);

 public slots:
  // Validates the profile, opens the key (with its passphrase), saves, and accepts; on any
  // error shows it in the dialog and stays open.
  void saveAndAccept();

 private:
  void loadProfile(int index);
  void useOrchctlConfig();
  void showError(const QString& message);
  // The key's passphrase: typed, else the keychain's when the key is encrypted.
  QString passphraseFor(const ClusterProfile& p, bool& fromKeychain, QString& keychainError);

  ClusterProfileStore store_;
  SecretStore secrets_;
  QList<ClusterProfile> profiles_;
  QComboBox* profileBox_;
  QLineEdit* name_;
  QLineEdit* masters_;
  QLineEdit* ca_;
  QLineEdit* cert_;
  QLineEdit* key_;
  QLineEdit* passphrase_;
  QLabel* error_;
  std::shared_ptr<const ClusterCredentials> credentials_;
  QString keychainWarning_;
};

}  // namespace orch::console
