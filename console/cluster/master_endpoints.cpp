#include "cluster/master_endpoints.h"

#include <QCoreApplication>
#include <QStringList>

#include "client/client_config.h"

namespace orch::console {
namespace {

absl::Status invalid(const QString& text) { return absl::InvalidArgumentError(text.toStdString()); }

}  // namespace

bool isZooKeeperEndpoint(const QString& masters) { return masters.trimmed().startsWith(QLatin1String("zk://")); }

absl::StatusOr<std::vector<std::string>> parseMasterEndpoints(const QString& masters) {
  const QString text = masters.trimmed();
  if (text.isEmpty()) {
    return invalid(QCoreApplication::translate("MasterEndpoints", "Enter the masters as host:port (several separated by commas) or as one "
                      "zk://host:port,.../path URL."));
  }
  if (text.startsWith(QLatin1String("zk://"), Qt::CaseInsensitive) && !text.startsWith(QLatin1String("zk://"))) {
    return invalid(QCoreApplication::translate("MasterEndpoints", "Write the ZooKeeper URL with a lower-case \"zk://\"."));
  }
  if (text.indexOf(QLatin1String("zk://"), 1) > 0) {
    return invalid(QCoreApplication::translate("MasterEndpoints", "\"%1\" mixes a zk:// URL with other entries: give either host:port addresses or one zk:// URL.")
                       .arg(text));
  }
  if (text.contains(QLatin1String("://")) && !isZooKeeperEndpoint(text)) {
    return invalid(QCoreApplication::translate("MasterEndpoints", "\"%1\" is not supported: give host:port addresses or one zk:// URL.").arg(text));
  }
  if (isZooKeeperEndpoint(text)) {
    const QString rest = text.mid(5);
    if (rest.contains(QLatin1Char(' '))) {
      return invalid(QCoreApplication::translate("MasterEndpoints", "The ZooKeeper URL \"%1\" contains a space.").arg(text));
    }
  }
  auto parsed = client::parseMasterList(text.toStdString());
  if (!parsed.ok()) {
    const QString why = QString::fromStdString(std::string(parsed.status().message()));
    return invalid(isZooKeeperEndpoint(text) ? QCoreApplication::translate("MasterEndpoints", "The ZooKeeper URL is not valid: %1").arg(why)
                                             : QCoreApplication::translate("MasterEndpoints", "The master list is not valid: %1").arg(why));
  }
  return *std::move(parsed);
}

}  // namespace orch::console
