#include "dialogs/connect_dialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFormLayout>
#include <QPushButton>
#include <QVBoxLayout>

#include "cluster/private_key_pem.h"

namespace orch::console {

ConnectDialog::ConnectDialog(QWidget* parent, ClusterProfileStore store, QString keychainService)
    : QDialog(parent), store_(std::move(store)), secrets_(std::move(keychainService), this) {
  setWindowTitle(tr("Connect to Cluster"));
  profileBox_ = new QComboBox(this);
  name_ = new QLineEdit(this);
  masters_ = new QLineEdit(this);
  masters_->setObjectName(QStringLiteral("masters"));
  masters_->setPlaceholderText(tr("10.0.0.1:5050, 10.0.0.2:5050 or zk://10.0.0.5:2181/orchestrator"));
  masters_->setToolTip(tr("The masters as host:port (several separated by commas), or one ZooKeeper URL "
                          "zk://host:port,host:port/path: the console then asks ZooKeeper for every master "
                          "and connects to the leader."));
  ca_ = new QLineEdit(this);
  cert_ = new QLineEdit(this);
  key_ = new QLineEdit(this);
  passphrase_ = new QLineEdit(this);
  passphrase_->setEchoMode(QLineEdit::Password);
  passphrase_->setObjectName(QStringLiteral("passphrase"));
  passphrase_->setPlaceholderText(tr("only for an encrypted key; kept in the keychain"));
  name_->setObjectName(QStringLiteral("name"));
  ca_->setObjectName(QStringLiteral("ca"));
  cert_->setObjectName(QStringLiteral("cert"));
  key_->setObjectName(QStringLiteral("key"));
  error_ = new QLabel(this);
  error_->setObjectName(QStringLiteral("error"));
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c62828"));
  error_->hide();

  auto* form = new QFormLayout;
  form->addRow(tr("&Profile:"), profileBox_);
  form->addRow(tr("&Name:"), name_);
  form->addRow(tr("&Masters:"), masters_);
  form->addRow(tr("C&A certificate:"), ca_);
  form->addRow(tr("Client &certificate:"), cert_);
  form->addRow(tr("Client &key:"), key_);
  form->addRow(tr("Key pass&phrase:"), passphrase_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  QPushButton* connectButton = buttons->addButton(tr("Save and &Connect"), QDialogButtonBox::AcceptRole);
  connectButton->setObjectName(QStringLiteral("saveAndConnect"));
  connectButton->setDefault(true);
  QPushButton* orchctl = buttons->addButton(tr("Use &orchctl settings"), QDialogButtonBox::ActionRole);
  connect(connectButton, &QPushButton::clicked, this, &ConnectDialog::saveAndAccept);
  connect(orchctl, &QPushButton::clicked, this, &ConnectDialog::useOrchctlConfig);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(buttons);

  auto loaded = store_.load();
  if (loaded.ok()) {
    profiles_ = *loaded;
  } else {
    showError(QString::fromStdString(std::string(loaded.status().message())));
  }
  profileBox_->addItem(tr("New profile"));
  for (const ClusterProfile& p : profiles_) profileBox_->addItem(p.name);
  connect(profileBox_, &QComboBox::currentIndexChanged, this, &ConnectDialog::loadProfile);
  if (!profiles_.isEmpty()) profileBox_->setCurrentIndex(1);
  resize(560, sizeHint().height());
}

QString ConnectDialog::passphraseKey(const QString& profile) {
  return SecretStore::profileKey(profile, QStringLiteral("key-passphrase"));
}

QString ConnectDialog::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

QString ConnectDialog::passphraseFor(const ClusterProfile& p, bool& fromKeychain, QString& keychainError) {
  fromKeychain = false;
  if (!passphrase_->text().isEmpty()) return passphrase_->text();
  QFile key(p.key);
  if (!key.open(QIODevice::ReadOnly) || !isEncryptedPrivateKeyPem(key.readAll().toStdString())) return {};
  auto [secret, error] = secrets_.readAndWait(passphraseKey(p.name));
  if (!error.isEmpty()) {
    keychainError = error;
    return {};
  }
  fromKeychain = true;
  return secret;
}

void ConnectDialog::showError(const QString& message) {
  error_->setText(message);
  error_->setVisible(!message.isEmpty());
}

void ConnectDialog::loadProfile(int index) {
  passphrase_->clear();
  if (index <= 0 || index > profiles_.size()) {
    for (QLineEdit* e : {name_, masters_, ca_, cert_, key_}) e->clear();
    return;
  }
  const ClusterProfile& p = profiles_[index - 1];
  name_->setText(p.name);
  masters_->setText(p.masters);
  ca_->setText(p.caCert);
  cert_->setText(p.cert);
  key_->setText(p.key);
}

void ConnectDialog::useOrchctlConfig() {
  auto path = client::defaultClientConfigPath();
  if (!path.ok()) {
    showError(QString::fromStdString(std::string(path.status().message())));
    return;
  }
  auto config = client::loadClientConfig(*path);
  if (!config.ok()) {
    showError(QString::fromStdString(std::string(config.status().message())));
    return;
  }
  QStringList masters;
  for (const std::string& m : config->masters) masters << QString::fromStdString(m);
  if (name_->text().isEmpty()) name_->setText(tr("orchctl"));
  masters_->setText(masters.join(QStringLiteral(",")));
  ca_->setText(QString::fromStdString(config->tls.ca_cert));
  cert_->setText(QString::fromStdString(config->tls.cert));
  key_->setText(QString::fromStdString(config->tls.key));
  showError({});
}

ClusterProfile ConnectDialog::profile() const {
  ClusterProfile p;
  p.name = name_->text().trimmed();
  p.masters = masters_->text().trimmed();
  p.caCert = ca_->text().trimmed();
  p.cert = cert_->text().trimmed();
  p.key = key_->text().trimmed();
  return p;
}

absl::StatusOr<client::ClientConfig> ConnectDialog::clientConfig() const { return profile().toClientConfig(); }

void ConnectDialog::saveAndAccept() {
  const ClusterProfile p = profile();
  if (p.name.isEmpty()) {
    showError(tr("Give the profile a name."));
    return;
  }
  auto config = p.toClientConfig();
  if (!config.ok()) {
    showError(QString::fromStdString(std::string(config.status().message())));
    return;
  }
  bool fromKeychain = false;
  QString keychainError;
  const QString passphrase = passphraseFor(p, fromKeychain, keychainError);
  auto loaded = ClusterCredentials::load(*config, passphrase.toStdString());
  if (!loaded.ok()) {
    if (loaded.status().code() == absl::StatusCode::kPermissionDenied) {
      showError(fromKeychain ? tr("The passphrase kept in the keychain no longer opens the client key %1: "
                                  "enter its passphrase.")
                                   .arg(p.key)
                             : tr("Wrong passphrase: it does not decrypt the client key %1.").arg(p.key));
      passphrase_->selectAll();
      passphrase_->setFocus();
    } else if (loaded.status().code() == absl::StatusCode::kFailedPrecondition) {
      showError(keychainError.isEmpty()
                    ? tr("The client key %1 is encrypted: enter its passphrase.").arg(p.key)
                    : tr("The client key %1 is encrypted: enter its passphrase (none could be read from the "
                         "keychain: %2).")
                          .arg(p.key, keychainError));
      passphrase_->setFocus();
    } else {
      showError(QString::fromStdString(std::string(loaded.status().message())));
    }
    return;
  }
  QList<ClusterProfile> all = profiles_;
  bool replaced = false;
  for (ClusterProfile& existing : all) {
    if (existing.name == p.name) {
      existing = p;
      replaced = true;
    }
  }
  if (!replaced) all << p;
  if (absl::Status s = store_.save(all); !s.ok()) {
    showError(QString::fromStdString(std::string(s.message())));
    return;
  }
  keychainWarning_.clear();
  if (!passphrase_->text().isEmpty() && (*loaded)->keyWasEncrypted()) {
    const QString error = secrets_.writeAndWait(passphraseKey(p.name), passphrase_->text());
    if (!error.isEmpty()) keychainWarning_ = tr("The key passphrase was not kept in the keychain: %1").arg(error);
  }
  credentials_ = *std::move(loaded);
  showError({});
  accept();
}

}  // namespace orch::console
