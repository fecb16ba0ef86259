#include "app/console_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include "cluster/master_endpoints.h"

namespace orch::console {

absl::StatusOr<ConsoleOptions> parseConsoleOptions(const QStringList& arguments) {
  QCommandLineParser parser;
  parser.setApplicationDescription(QCoreApplication::translate("ConsoleOptions", "Orchestrator operations console"));
  const QCommandLineOption attach(QStringLiteral("attach"),
                                  QCoreApplication::translate("ConsoleOptions", "Connect to the masters at HOST:PORT[,HOST:PORT...] or zk://HOST:PORT,.../PATH."),
                                  QStringLiteral("MASTERS"));
  const QCommandLineOption config(QStringLiteral("config"),
                                  QCoreApplication::translate("ConsoleOptions", "orchctl config file with the TLS files."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption local(QStringLiteral("local"),
                                 QCoreApplication::translate("ConsoleOptions", "Start a local cluster and connect to it."));
  const QCommandLineOption keep(QStringLiteral("keep-cluster"),
                                QCoreApplication::translate("ConsoleOptions", "Leave the local cluster running on exit."));
  const QCommandLineOption lang(QStringLiteral("lang"),
                                QCoreApplication::translate("ConsoleOptions", "User interface language (e.g. de)."),
                                QStringLiteral("CODE"));
  parser.addOptions({attach, config, local, keep, lang});
  parser.addHelpOption();
  if (!parser.parse(arguments)) return absl::InvalidArgumentError(parser.errorText().toStdString());
  if (!parser.positionalArguments().isEmpty()) {
    return absl::InvalidArgumentError(QCoreApplication::translate("ConsoleOptions", "unexpected argument '%1'")
                                          .arg(parser.positionalArguments().first())
                                          .toStdString());
  }
  ConsoleOptions options;
  if (parser.isSet(attach)) {
    const QString address = parser.value(attach).trimmed();
    if (auto parsed = parseMasterEndpoints(address); !parsed.ok()) {
      return absl::InvalidArgumentError(QCoreApplication::translate("ConsoleOptions", "--attach: %1")
                                            .arg(QString::fromStdString(std::string(parsed.status().message())))
                                            .toStdString());
    }
    options.attach = address;
  }
  if (parser.isSet(config)) options.config = parser.value(config);
  options.local = parser.isSet(local);
  options.keepCluster = parser.isSet(keep);
  options.language = parser.value(lang);
  if (options.local && options.attach) {
    return absl::InvalidArgumentError(
        QCoreApplication::translate("ConsoleOptions", "--local and --attach cannot be used together").toStdString());
  }
  return options;
}

absl::StatusOr<client::ClientConfig> attachConfig(const ConsoleOptions& options) {
  client::ClientConfigOverrides overrides;
  if (options.attach) overrides.master = options.attach->toStdString();
  std::optional<std::string> path;
  if (options.config) path = options.config->toStdString();
  return client::resolveClientConfig(path, overrides);
}

}  // namespace orch::console
