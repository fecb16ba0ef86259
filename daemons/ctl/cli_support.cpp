#include "ctl/cli_support.h"

#include <chrono>
#include <cstdio>

namespace orch::ctl {

absl::StatusOr<client::ClientConfig> resolveConfig(const GlobalOptions& options) {
  client::ClientConfigOverrides overrides;
  overrides.master = options.master;
  overrides.ca_cert = options.ca_cert;
  overrides.cert = options.cert;
  overrides.key = options.key;
  return client::resolveClientConfig(options.config_file, overrides);
}

int reportError(const absl::Status& status) {
  std::fprintf(stderr, "orchctl: %s\n", std::string(status.message()).c_str());
  return kExitFailure;
}

int reportError(const std::string& context, const absl::Status& status) {
  std::fprintf(stderr, "orchctl: %s: %s\n", context.c_str(), std::string(status.message()).c_str());
  return kExitFailure;
}

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace orch::ctl
