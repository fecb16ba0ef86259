#include "ctl/certs_command.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/tls/cert_authority.h"
#include "ctl/cli_support.h"

namespace orch::ctl {

namespace fs = std::filesystem;

absl::StatusOr<std::string> defaultCertsDir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg != '\0') return (fs::path(xdg) / "orchestrator" / "certs").string();
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') {
    return (fs::path(home) / ".local" / "share" / "orchestrator" / "certs").string();
  }
  return absl::InvalidArgumentError(
      "cannot pick a certificate directory: neither XDG_DATA_HOME nor HOME is set (pass --dir)");
}

namespace {

absl::StatusOr<std::string> dirOrDefault(const std::string& dir) {
  if (!dir.empty()) return dir;
  return defaultCertsDir();
}

std::string date(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

}  // namespace

int runCertsInit(const CertsInitOptions& options) {
  auto dir = dirOrDefault(options.dir);
  if (!dir.ok()) return reportError(dir.status());
  if (absl::Status s = tls::createCertificateAuthority(*dir, options.cluster_name); !s.ok()) {
    return reportError("cannot create the cluster CA", s);
  }
  std::printf("created the CA of cluster \"%s\": %s, %s (private, mode 0600)\n",
              options.cluster_name.c_str(), (fs::path(*dir) / tls::kCaCertFileName).c_str(),
              (fs::path(*dir) / tls::kCaKeyFileName).c_str());
  std::printf("next: orchctl certs issue NAME --role master|agent|operator|framework%s\n",
              options.dir.empty() ? "" : absl::StrCat(" --dir ", *dir).c_str());
  return kExitOk;
}

int runCertsIssue(const CertsIssueOptions& options) {
  auto role = tls::parseCertRole(options.role);
  if (!role.ok()) return reportError("--role", role.status());
  auto ca_dir = dirOrDefault(options.ca_dir);
  if (!ca_dir.ok()) return reportError(ca_dir.status());
  const std::string out_dir = options.out_dir.empty() ? *ca_dir : options.out_dir;
  if (absl::Status s = tls::issueCertificate(*ca_dir, out_dir, options.name, *role, options.hosts);
      !s.ok()) {
    return reportError(absl::StrCat("cannot issue a certificate for ", options.name), s);
  }
  const fs::path crt = fs::path(out_dir) / (options.name + ".crt");
  const fs::path key = fs::path(out_dir) / (options.name + ".key");
  std::printf("issued %s certificate \"%s\": %s, %s (private, mode 0600)\n",
              tls::toString(*role).c_str(), options.name.c_str(), crt.c_str(), key.c_str());
  return kExitOk;
}

int runCertsShow(const std::string& cert_path) {
  auto info = tls::readCertificateInfo(cert_path);
  if (!info.ok()) return reportError(info.status());
  std::printf("subject     CN=%s, O=%s%s\n", info->common_name.c_str(), info->organization.c_str(),
              info->organizational_unit.empty() ? ""
                                                : absl::StrCat(", OU=", info->organizational_unit).c_str());
  std::printf("issuer      CN=%s\n", info->issuer_common_name.c_str());
  std::printf("role        %s\n", info->is_ca ? "certificate authority"
                                               : (info->organizational_unit.empty()
                                                      ? "-"
                                                      : info->organizational_unit.c_str()));
  std::vector<std::string> names = info->dns_names;
  names.insert(names.end(), info->ip_addresses.begin(), info->ip_addresses.end());
  std::printf("names       %s\n", names.empty() ? "-" : absl::StrJoin(names, ", ").c_str());
  std::printf("serial      %s\n", info->serial_hex.c_str());
  std::printf("valid       %s .. %s\n", date(info->not_before_unix).c_str(),
              date(info->not_after_unix).c_str());
  return kExitOk;
}

}  // namespace orch::ctl
