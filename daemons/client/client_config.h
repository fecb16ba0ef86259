// Where orchctl (and every other client) finds the master and its TLS files.
//
// The default file is $XDG_CONFIG_HOME/orchestrator/orchctl.json (fallback
// ~/.config/orchestrator/orchctl.json):
//   {"master": "127.0.0.1:5050", "ca": "/path/ca.crt", "cert": "/path/op.crt", "key": "/path/op.key"}
// "master" may also be a list of addresses or a comma-separated string (several masters: the
// client tries them in order). Relative TLS paths are resolved against the file's directory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tls/grpc_tls.h"

namespace orch::client {

struct ClientConfig {
  std::vector<std::string> masters;  // "host:port", tried in order
  tls::TlsFiles tls;                 // ca_cert, cert, key (PEM paths)
  std::string source;                // the file it was read from, "" when built from flags only
};

// Command-line values that replace what the file says (unset = keep the file's value).
struct ClientConfigOverrides {
  std::optional<std::string> master;  // one address or a comma-separated list
  std::optional<std::string> ca_cert;
  std::optional<std::string> cert;
  std::optional<std::string> key;
};

// $XDG_CONFIG_HOME/orchestrator/orchctl.json, or $HOME/.config/orchestrator/orchctl.json.
// InvalidArgument when neither XDG_CONFIG_HOME nor HOME is set.
absl::StatusOr<std::string> defaultClientConfigPath();

// Parses the JSON text of a config file. `source` names the file in error messages and is the
// base for relative paths. Unknown keys are rejected (they are usually typos).
absl::StatusOr<ClientConfig> parseClientConfig(std::string_view json_text, const std::string& source);

// Reads and parses a config file; NotFound naming the path when it is missing.
absl::StatusOr<ClientConfig> loadClientConfig(const std::string& path);

// Writes the config as JSON (mode 0600, parent directories created, atomic replace).
absl::Status writeClientConfig(const std::string& path, const ClientConfig& config);

// Splits "a:1, b:2" into addresses and checks each is host:port with a port in 1..65535.
absl::StatusOr<std::vector<std::string>> parseMasterList(std::string_view text);

// Checks one "host:port" ("[::1]:5050" for IPv6); InvalidArgument saying what is wrong.
absl::Status validateHostPort(std::string_view address);

// Checks that a config is complete: at least one master, and all three TLS paths set.
// The error names the missing key and how to set it.
absl::Status validateClientConfig(const ClientConfig& config);

// The config a client should use: the file (explicit_path, or the default file when it exists)
// with the overrides applied, validated. An explicit path that is missing is an error; a missing
// default file is fine as long as the overrides supply everything.
absl::StatusOr<ClientConfig> resolveClientConfig(const std::optional<std::string>& explicit_path,
                                                 const ClientConfigOverrides& overrides);

}  // namespace orch::client
