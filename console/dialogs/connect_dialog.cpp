#include "dialogs/connect_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPushButton>
#include <QVBoxLayout>

namespace orch::console {

ConnectDialog::ConnectDialog(QWidget* parent, ClusterProfileStore store)
    : QDialog(parent), store_(std::move(store)), secrets_(QStringLiteral("orchestrator-console"), this) {
  setWindowTitle(tr("Connect to Cluster"));
  profileBox_ = new QComboBox(this);
  name_ = new QLineEdit(this);
  masters_ = new QLineEdit(this);
  masters_->setPlaceholderText(tr("10.0.0.1:5050, 10.0.0.2:5050"));
  ca_ = new QLineEdit(this);
  cert_ = new QLineEdit(this);
  key_ = new QLineEdit(this);
  passphrase_ = new QLineEdit(this);
  passphrase_->setEchoMode(QLineEdit::Password);
  passphrase_->setPlaceholderText(tr("stored in the keychain"));
  error_ = new QLabel(this);
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
  form->addRow(tr("Key pass&phrase or token:"), passphrase_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  QPushButton* connectButton = buttons->addButton(tr("Save and &Connect"), QDialogButtonBox::AcceptRole);
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
  if (auto config = p.toClientConfig(); !config.ok()) {
    showError(QString::fromStdString(std::string(config.status().message())));
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
  if (!passphrase_->text().isEmpty()) {
    const QString error = secrets_.writeAndWait(SecretStore::profileKey(p.name, QStringLiteral("secret")),
                                                passphrase_->text());
    if (!error.isEmpty()) {
      showError(error);
      return;
    }
  }
  accept();
}

}  // namespace orch::console
