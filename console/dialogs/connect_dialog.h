// Connect to Cluster: pick or edit a cluster profile (masters, CA, certificate, key) or use
// orchctl's settings. A key passphrase or token typed here goes to the keychain (SecretStore),
// never into the profiles file.
#pragma once

#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>

#include "absl/status/statusor.h"
#include "client/client_config.h"
#include "cluster/cluster_profile.h"
#include "cluster/secret_store.h"

namespace orch::console {

class ConnectDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ConnectDialog(QWidget* parent = nullptr, ClusterProfileStore store = ClusterProfileStore());

  // The settings the user chose (validated).
  absl::StatusOr<client::ClientConfig> clientConfig() const;
  ClusterProfile profile() const;

 private:
  void loadProfile(int index);
  void useOrchctlConfig();
  void saveAndAccept();
  void showError(const QString& message);

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
};

}  // namespace orch::console
