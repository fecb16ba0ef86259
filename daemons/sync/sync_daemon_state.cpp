#include "sync/sync_daemon_state.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/config/json_file.h"
#include "common/tls/cert_authority.h"

namespace orch::sync {

std::string daemonStatePath(const std::string& state_dir) { return state_dir + "/orch-sync.json"; }

absl::Status writeDaemonState(const std::string& state_dir, const DaemonState& s) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create state dir ", state_dir, ": ", ec.message()));
  nlohmann::json j = {{"pid", s.pid},       {"grpc", s.grpc}, {"http", s.http},
                      {"tls_dir", s.tls_dir}, {"name", s.name}, {"started_ms", s.started_ms}};
  return config::writeJsonFileAtomically(daemonStatePath(state_dir), j, 0600);
}

absl::StatusOr<DaemonState> readDaemonState(const std::string& state_dir) {
  const std::string path = daemonStatePath(state_dir);
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat("no orch-sync is running for state dir ", state_dir, " (no ", path, ")"));
  }
  auto j = config::loadJsonFile(path);
  if (!j.ok()) return j.status();
  DaemonState s;
  try {
    s.pid = j->at("pid").get<int>();
    s.grpc = j->at("grpc").get<std::string>();
    s.http = j->value("http", "");
    s.tls_dir = j->at("tls_dir").get<std::string>();
    s.name = j->value("name", "");
    s.started_ms = j->value("started_ms", std::int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
  return s;
}

void removeDaemonState(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::remove(daemonStatePath(state_dir), ec);
}

bool processAlive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

absl::Status ensureLocalCertificates(const std::string& tls_dir, const std::string& cluster_name) {
  if (std::filesystem::exists(tls_dir + "/ca.crt")) return absl::OkStatus();
  if (auto s = tls::createCertificateAuthority(tls_dir, cluster_name); !s.ok()) return s;
  if (auto s = tls::issueCertificate(tls_dir, tls_dir, kServerCertName, tls::CertRole::kMaster); !s.ok()) return s;
  return tls::issueCertificate(tls_dir, tls_dir, kClientCertName, tls::CertRole::kOperator);
}

std::string defaultStateDir() {
  if (const char* d = std::getenv("ORCH_SYNC_STATE_DIR"); d && *d) return d;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.orch-sync";
  return ".orch-sync";
}

}  // namespace orch::sync
