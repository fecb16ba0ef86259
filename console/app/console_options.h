// The console's command line:
//   orch-console [--attach MASTERS] [--config FILE] [--local] [--keep-cluster] [--lang CODE]
// --attach connects to those masters (host:port list or one zk:// URL) with the TLS files from orchctl's config (default file, or
// --config); --local starts a local cluster at once; without either the console offers the
// first-run choices.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

#include "absl/status/statusor.h"
#include "client/client_config.h"

namespace orch::console {

struct ConsoleOptions {
  std::optional<QString> attach;  // "host:port[,host:port...]" or "zk://hosts/path"
  std::optional<QString> config;  // an orchctl.json
  bool local = false;
  bool keepCluster = false;
  QString language;  // "" = the system locale
};

// Parses arguments (argv[0] first). InvalidArgument naming the option on bad input.
absl::StatusOr<ConsoleOptions> parseConsoleOptions(const QStringList& arguments);

// The client settings for --attach: the master given, with the TLS files from orchctl's config.
absl::StatusOr<client::ClientConfig> attachConfig(const ConsoleOptions& options);

}  // namespace orch::console
