// Cluster profiles: a name, the masters (a host:port list or a zk:// URL), and the CA, client
// certificate and key paths. Kept in $XDG_CONFIG_HOME/orchestrator/console-profiles.json;
// passphrases and tokens are not in that file (see SecretStore).
#pragma once

#include <QList>
#include <QString>

#include "absl/status/statusor.h"
#include "client/client_config.h"

namespace orch::console {

struct ClusterProfile {
  QString name;
  QString masters;  // "10.0.0.1:5050,10.0.0.2:5050" or "zk://10.0.0.5:2181/orchestrator"
  QString caCert;
  QString cert;
  QString key;

  // The client settings this profile stands for (a zk:// URL stays one entry of `masters`; the
  // client resolves it when it connects). InvalidArgument naming the field when the masters do
  // not parse (see parseMasterEndpoints) or a TLS path is missing.
  absl::StatusOr<client::ClientConfig> toClientConfig() const;
  bool operator==(const ClusterProfile&) const = default;
};

class ClusterProfileStore {
 public:
  // Default file: $XDG_CONFIG_HOME/orchestrator/console-profiles.json.
  explicit ClusterProfileStore(QString path = defaultPath());

  // Missing file = no profiles. Errors name the file and what is wrong in it.
  absl::StatusOr<QList<ClusterProfile>> load() const;
  // Writes every profile (0600, atomic replace).
  absl::Status save(const QList<ClusterProfile>& profiles) const;
  const QString& path() const { return path_; }

  static QString defaultPath();

 private:
  QString path_;
};

}  // namespace orch::console
