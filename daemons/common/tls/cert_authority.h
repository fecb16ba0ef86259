// Cluster certificate authority: creates the CA and issues role certificates with OpenSSL 3.
//
// Layout on disk: <ca_dir>/ca.crt, <ca_dir>/ca.key (0600); <out_dir>/<name>.crt, <name>.key (0600).
// Keys are EC P-256 (prime256v1); certificates are X.509 v3 signed with SHA-256.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace orch::tls {

inline constexpr std::string_view kCaCertFileName = "ca.crt";
inline constexpr std::string_view kCaKeyFileName = "ca.key";

// The role a certificate is issued for; carried in the subject's OU.
enum class CertRole { kMaster, kAgent, kOperator, kFramework };

// "master", "agent", "operator", "framework".
std::string_view certRoleName(CertRole role);
// Same as certRoleName, as an owning string.
std::string toString(CertRole role);
// Parses a role name (case-insensitive); InvalidArgument naming the bad value otherwise.
absl::StatusOr<CertRole> parseCertRole(std::string_view text);

// Creates dir (if missing) and writes dir/ca.crt and dir/ca.key (0600) for a new self-signed CA
// with subject CN=<cluster_name> CA, O=<cluster_name>, valid 10 years.
// AlreadyExists if either file is present (a CA is never overwritten).
absl::Status createCertificateAuthority(const std::string& dir, const std::string& cluster_name);

// Issues out_dir/<name>.crt and out_dir/<name>.key (0600) signed by the CA in ca_dir.
// Subject CN=<name>, O=<cluster name from the CA>, OU=<role>. SAN: DNS:localhost, IP:127.0.0.1,
// DNS:<name> (if <name> is a valid host name) plus extra_hosts (IPv4/IPv6 literals become IP
// entries, everything else DNS). EKU serverAuth+clientAuth, valid 1 year, random 128-bit serial.
// <name> must be [A-Za-z0-9._-]+ and not start with '.'. Existing files are overwritten
// (re-issuing is how certificates are renewed).
absl::Status issueCertificate(const std::string& ca_dir, const std::string& out_dir,
                              const std::string& name, CertRole role,
                              const std::vector<std::string>& extra_hosts = {});

// What a certificate says about itself, for `orchctl certs show` and tests.
struct CertificateInfo {
  std::string common_name;
  std::string organization;         // the cluster name
  std::string organizational_unit;  // the role name for issued certs
  std::string issuer_common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::string serial_hex;
  std::int64_t not_before_unix = 0;
  std::int64_t not_after_unix = 0;
  bool is_ca = false;
};

// Reads a PEM certificate file and extracts CertificateInfo.
absl::StatusOr<CertificateInfo> readCertificateInfo(const std::string& cert_path);
// Same, from PEM text held in memory.
absl::StatusOr<CertificateInfo> parseCertificateInfo(std::string_view pem);

// Verifies cert_path chains to the CA certificate at ca_cert_path (X509_verify_cert, purpose any).
// OK when valid; FailedPrecondition with OpenSSL's reason otherwise.
absl::Status verifyCertificate(const std::string& ca_cert_path, const std::string& cert_path);

}  // namespace orch::tls
