// `orchctl certs init|issue|show`: the cluster CA and role certificates (OpenSSL, keys 0600).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::ctl {

// $XDG_DATA_HOME/orchestrator/certs, or ~/.local/share/orchestrator/certs.
absl::StatusOr<std::string> defaultCertsDir();

struct CertsInitOptions {
  std::string dir;  // "" = defaultCertsDir()
  std::string cluster_name = "orchestrator";
};

struct CertsIssueOptions {
  std::string name;
  std::string role;     // master|agent|operator|framework
  std::string ca_dir;   // "" = defaultCertsDir()
  std::string out_dir;  // "" = the CA dir
  std::vector<std::string> hosts;
};

int runCertsInit(const CertsInitOptions& options);
int runCertsIssue(const CertsIssueOptions& options);
int runCertsShow(const std::string& cert_path);

}  // namespace orch::ctl
