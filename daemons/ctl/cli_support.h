// What every orchctl command shares: the global connection options, exit codes, and how an
// error reaches the person at the terminal.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/client_config.h"

namespace orch::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// --master, --ca, --cert, --key, --config (unset = take it from the config file).
struct GlobalOptions {
  std::optional<std::string> master;
  std::optional<std::string> ca_cert;
  std::optional<std::string> cert;
  std::optional<std::string> key;
  std::optional<std::string> config_file;
};

// The client config the options and the config file describe.
absl::StatusOr<client::ClientConfig> resolveConfig(const GlobalOptions& options);

// Prints "orchctl: <message>" to stderr and returns the exit code for it (kExitUsage for
// InvalidArgument raised by our own option checks is the caller's business: this returns 1).
int reportError(const absl::Status& status);

// Prints "orchctl: <context>: <message>" to stderr and returns kExitFailure.
int reportError(const std::string& context, const absl::Status& status);

// Current wall-clock time in seconds since the Unix epoch.
double nowSeconds();

}  // namespace orch::ctl
