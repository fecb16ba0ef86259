#include "cluster/cluster_profile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include "cluster/master_endpoints.h"

namespace orch::console {

absl::StatusOr<client::ClientConfig> ClusterProfile::toClientConfig() const {
  auto list = parseMasterEndpoints(masters);
  if (!list.ok()) {
    return absl::InvalidArgumentError(QCoreApplication::translate("ClusterProfile", "Profile \"%1\", masters: %2")
                                          .arg(name, QString::fromStdString(std::string(list.status().message())))
                                          .toStdString());
  }
  client::ClientConfig config;
  config.masters = *list;
  config.tls.ca_cert = caCert.toStdString();
  config.tls.cert = cert.toStdString();
  config.tls.key = key.toStdString();
  if (absl::Status s = client::validateClientConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(
        QCoreApplication::translate("ClusterProfile", "Profile \"%1\": %2").arg(name, QString::fromStdString(std::string(s.message()))).toStdString());
  }
  return config;
}

ClusterProfileStore::ClusterProfileStore(QString path) : path_(std::move(path)) {}

QString ClusterProfileStore::defaultPath() {
  QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
  if (base.isEmpty()) base = QDir::homePath() + QStringLiteral("/.config");
  return base + QStringLiteral("/orchestrator/console-profiles.json");
}

absl::StatusOr<QList<ClusterProfile>> ClusterProfileStore::load() const {
  QFile file(path_);
  if (!file.exists()) return QList<ClusterProfile>{};
  if (!file.open(QIODevice::ReadOnly)) {
    return absl::PermissionDeniedError(QCoreApplication::translate("ClusterProfile", "Cannot read %1: %2").arg(path_, file.errorString()).toStdString());
  }
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError) {
    return absl::InvalidArgumentError(
        QCoreApplication::translate("ClusterProfile", "%1 is not valid JSON at offset %2: %3").arg(path_).arg(error.offset).arg(error.errorString()).toStdString());
  }
  const QJsonArray array = doc.object().value(QStringLiteral("profiles")).toArray();
  QList<ClusterProfile> profiles;
  for (const QJsonValue& v : array) {
    const QJsonObject o = v.toObject();
    ClusterProfile p;
    p.name = o.value(QStringLiteral("name")).toString();
    p.masters = o.value(QStringLiteral("masters")).toString();
    p.caCert = o.value(QStringLiteral("ca")).toString();
    p.cert = o.value(QStringLiteral("cert")).toString();
    p.key = o.value(QStringLiteral("key")).toString();
    if (p.name.isEmpty()) {
      return absl::InvalidArgumentError(QCoreApplication::translate("ClusterProfile", "%1: a profile has no \"name\".").arg(path_).toStdString());
    }
    profiles << p;
  }
  return profiles;
}

absl::Status ClusterProfileStore::save(const QList<ClusterProfile>& profiles) const {
  QJsonArray array;
  for (const ClusterProfile& p : profiles) {
    array.append(QJsonObject{{QStringLiteral("name"), p.name},
                             {QStringLiteral("masters"), p.masters},
                             {QStringLiteral("ca"), p.caCert},
                             {QStringLiteral("cert"), p.cert},
                             {QStringLiteral("key"), p.key}});
  }
  QDir().mkpath(QFileInfo(path_).absolutePath());
  QSaveFile file(path_);
  if (!file.open(QIODevice::WriteOnly)) {
    return absl::PermissionDeniedError(QCoreApplication::translate("ClusterProfile", "Cannot write %1: %2").arg(path_, file.errorString()).toStdString());
  }
  file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
  file.write(QJsonDocument(QJsonObject{{QStringLiteral("profiles"), array}}).toJson());
  if (!file.commit()) {
    return absl::InternalError(QCoreApplication::translate("ClusterProfile", "Cannot write %1: %2").arg(path_, file.errorString()).toStdString());
  }
  return absl::OkStatus();
}

}  // namespace orch::console
