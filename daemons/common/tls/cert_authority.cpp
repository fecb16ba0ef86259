#include "common/tls/cert_authority.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <system_error>

#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/config/atomic_file.h"
#include "common/config/json_file.h"
#include "common/tls/openssl_handles.h"

namespace orch::tls {
namespace {

using detail::BioPtr;
using detail::BnPtr;
using detail::GeneralNamesPtr;
using detail::PkeyPtr;
using detail::X509ExtensionPtr;
using detail::X509Ptr;
using detail::takeOpenSslError;

constexpr long kCaValidityDays = 3650;
constexpr long kLeafValidityDays = 365;
constexpr long kBackdateSeconds = 300;  // tolerate small clock skew between hosts

std::string joinPath(const std::string& dir, std::string_view file) {
  return (std::filesystem::path(dir) / std::string(file)).string();
}

bool isIpLiteral(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// RFC 1123 host name, optionally with a leading "*." wildcard label.
bool isDnsName(std::string_view text) {
  if (text.rfind("*.", 0) == 0) text.remove_prefix(2);
  if (text.empty() || text.size() > 253) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t dot = text.find('.', start);
    std::string_view label = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool isSafeFileStem(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

absl::StatusOr<PkeyPtr> generateKey() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return absl::InternalError(absl::StrCat("cannot generate EC P-256 key: ", takeOpenSslError()));
  return key;
}

absl::Status setRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError(absl::StrCat("cannot draw a random serial: ", takeOpenSslError()));
  }
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and a full 127 bits, so never zero
  BnPtr bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot set serial: ", takeOpenSslError()));
  }
  return absl::OkStatus();
}

absl::Status addNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                 -1, -1, 0) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot put ", field, "='", value, "' in a certificate subject: ", takeOpenSslError()));
  }
  return absl::OkStatus();
}

// Adds one extension given in OpenSSL config syntax (values here are constants, never user input).
absl::Status addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return absl::InternalError(absl::StrCat("cannot add extension ", OBJ_nid2sn(nid), "=", value, ": ",
                                            takeOpenSslError()));
  }
  return absl::OkStatus();
}

absl::Status addSubjectAltNames(X509* cert, const std::vector<std::string>& dns, const std::vector<std::string>& ips) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return absl::InternalError("out of memory building subjectAltName");
  for (const std::string& host : dns) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (gen == nullptr || ia5 == nullptr || ASN1_STRING_set(ia5, host.data(), static_cast<int>(host.size())) != 1) {
      GENERAL_NAME_free(gen);
      ASN1_IA5STRING_free(ia5);
      return absl::InternalError("out of memory building subjectAltName");
    }
    GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(names.get(), gen);
  }
  for (const std::string& ip : ips) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    GENERAL_NAME* gen = GENERAL_NAME_new();
    if (octets == nullptr || gen == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      GENERAL_NAME_free(gen);
      return absl::InvalidArgumentError(absl::StrCat("cannot encode IP address '", ip, "'"));
    }
    GENERAL_NAME_set0_value(gen, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names.get(), gen);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return absl::InternalError(absl::StrCat("cannot add subjectAltName: ", takeOpenSslError()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> keyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError(absl::StrCat("cannot encode private key: ", takeOpenSslError()));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

absl::StatusOr<std::string> certToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return absl::InternalError(absl::StrCat("cannot encode certificate: ", takeOpenSslError()));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

absl::StatusOr<X509Ptr> loadCertificate(const std::string& path) {
  absl::StatusOr<std::string> pem = config::readFileToString(path);
  if (!pem.ok()) return pem.status();
  X509Ptr cert = detail::parsePemCertificate(*pem);
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' holds no PEM certificate"));
  }
  return cert;
}

absl::StatusOr<PkeyPtr> loadPrivateKey(const std::string& path) {
  absl::StatusOr<std::string> pem = config::readFileToString(path);
  if (!pem.ok()) return pem.status();
  PkeyPtr key = detail::parsePemPrivateKey(*pem);
  if (!key) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' holds no PEM private key"));
  }
  return key;
}

absl::Status ensureDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot create directory '", dir, "': ", ec.message()));
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat("'", dir, "' is not a directory"));
  }
  return absl::OkStatus();
}

std::int64_t asn1TimeToUnix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

std::string_view certRoleName(CertRole role) {
  switch (role) {
    case CertRole::kMaster: return "master";
    case CertRole::kAgent: return "agent";
    case CertRole::kOperator: return "operator";
    case CertRole::kFramework: return "framework";
  }
  return "unknown";
}

std::string toString(CertRole role) { return std::string(certRoleName(role)); }

absl::StatusOr<CertRole> parseCertRole(std::string_view text) {
  const std::string owned(text);
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(owned));
  for (CertRole role : {CertRole::kMaster, CertRole::kAgent, CertRole::kOperator, CertRole::kFramework}) {
    if (lower == certRoleName(role)) return role;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown certificate role '", owned, "' (expected master, agent, operator or framework)"));
}

absl::Status createCertificateAuthority(const std::string& dir, const std::string& cluster_name) {
  if (dir.empty()) return absl::InvalidArgumentError("CA directory is empty");
  if (absl::StripAsciiWhitespace(cluster_name).empty() || cluster_name.size() > 60) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster name '", cluster_name, "' must be 1 to 60 characters, not blank"));
  }
  const std::string cert_path = joinPath(dir, kCaCertFileName);
  const std::string key_path = joinPath(dir, kCaKeyFileName);
  std::error_code ec;
  for (const std::string& path : {cert_path, key_path}) {
    if (std::filesystem::exists(path, ec)) {
      return absl::AlreadyExistsError(
          absl::StrCat("refusing to overwrite existing CA file '", path, "'; remove it to create a new CA"));
    }
  }
  if (absl::Status st = ensureDirectory(dir); !st.ok()) return st;

  absl::StatusOr<PkeyPtr> key = generateKey();
  if (!key.ok()) return key.status();
  X509Ptr cert(X509_new());
  if (!cert) return absl::InternalError("out of memory creating CA certificate");
  X509_set_version(cert.get(), 2);
  if (absl::Status st = setRandomSerial(cert.get()); !st.ok()) return st;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(kCaValidityDays), 0, nullptr);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (absl::Status st = addNameEntry(name, "CN", cluster_name + " CA"); !st.ok()) return st;
  if (absl::Status st = addNameEntry(name, "O", cluster_name); !st.ok()) return st;
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key->get());
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status st = addExtension(cert.get(), cert.get(), nid, value); !st.ok()) return st;
  }
  if (X509_sign(cert.get(), key->get(), EVP_sha256()) <= 0) {
    return absl::InternalError(absl::StrCat("cannot sign CA certificate: ", takeOpenSslError()));
  }
  absl::StatusOr<std::string> key_pem = keyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<std::string> cert_pem = certToPem(cert.get());
  if (!cert_pem.ok()) return cert_pem.status();
  if (absl::Status st = config::writeFileAtomically(key_path, *key_pem, 0600); !st.ok()) return st;
  return config::writeFileAtomically(cert_path, *cert_pem, 0644);
}

absl::Status issueCertificate(const std::string& ca_dir, const std::string& out_dir, const std::string& name,
                              CertRole role, const std::vector<std::string>& extra_hosts) {
  if (!isSafeFileStem(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate name '", name, "' must be [A-Za-z0-9._-]+, not starting with '.'"));
  }
  if (out_dir.empty()) return absl::InvalidArgumentError("certificate output directory is empty");
  std::vector<std::string> dns = {"localhost"};
  std::vector<std::string> ips = {"127.0.0.1"};
  auto addHost = [&](const std::string& host) -> absl::Status {
    if (isIpLiteral(host)) {
      if (std::find(ips.begin(), ips.end(), host) == ips.end()) ips.push_back(host);
    } else if (isDnsName(host)) {
      std::string lower = absl::AsciiStrToLower(host);
      if (std::find(dns.begin(), dns.end(), lower) == dns.end()) dns.push_back(lower);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("'", host, "' is neither an IP address nor a DNS name"));
    }
    return absl::OkStatus();
  };
  if (isDnsName(name)) (void)addHost(name);
  for (const std::string& host : extra_hosts) {
    if (absl::Status st = addHost(host); !st.ok()) return st;
  }

  absl::StatusOr<X509Ptr> ca_cert = loadCertificate(joinPath(ca_dir, kCaCertFileName));
  if (!ca_cert.ok()) return ca_cert.status();
  absl::StatusOr<PkeyPtr> ca_key = loadPrivateKey(joinPath(ca_dir, kCaKeyFileName));
  if (!ca_key.ok()) return ca_key.status();
  if (X509_check_private_key(ca_cert->get(), ca_key->get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat("CA key '", joinPath(ca_dir, kCaKeyFileName),
                                                      "' does not match CA certificate '",
                                                      joinPath(ca_dir, kCaCertFileName), "'"));
  }
  const std::string cluster = detail::nameEntry(X509_get_subject_name(ca_cert->get()), NID_organizationName);
  if (cluster.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("CA certificate '", joinPath(ca_dir, kCaCertFileName),
                                                      "' has no O= (cluster name) in its subject"));
  }
  if (absl::Status st = ensureDirectory(out_dir); !st.ok()) return st;

  absl::StatusOr<PkeyPtr> key = generateKey();
  if (!key.ok()) return key.status();
  X509Ptr cert(X509_new());
  if (!cert) return absl::InternalError("out of memory creating certificate");
  X509_set_version(cert.get(), 2);
  if (absl::Status st = setRandomSerial(cert.get()); !st.ok()) return st;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(kLeafValidityDays), 0, nullptr);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (absl::Status st = addNameEntry(subject, "CN", name); !st.ok()) return st;
  if (absl::Status st = addNameEntry(subject, "O", cluster); !st.ok()) return st;
  if (absl::Status st = addNameEntry(subject, "OU", toString(role)); !st.ok()) return st;
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert->get()));
  X509_set_pubkey(cert.get(), key->get());
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_key_usage, "critical,digitalSignature,keyAgreement"},
                            std::pair{NID_ext_key_usage, "serverAuth,clientAuth"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status st = addExtension(cert.get(), ca_cert->get(), nid, value); !st.ok()) return st;
  }
  if (absl::Status st = addSubjectAltNames(cert.get(), dns, ips); !st.ok()) return st;
  if (X509_sign(cert.get(), ca_key->get(), EVP_sha256()) <= 0) {
    return absl::InternalError(absl::StrCat("cannot sign certificate for '", name, "': ", takeOpenSslError()));
  }
  absl::StatusOr<std::string> key_pem = keyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<std::string> cert_pem = certToPem(cert.get());
  if (!cert_pem.ok()) return cert_pem.status();
  if (absl::Status st = config::writeFileAtomically(joinPath(out_dir, name + ".key"), *key_pem, 0600); !st.ok()) {
    return st;
  }
  return config::writeFileAtomically(joinPath(out_dir, name + ".crt"), *cert_pem, 0644);
}

absl::StatusOr<CertificateInfo> parseCertificateInfo(std::string_view pem) {
  X509Ptr cert = detail::parsePemCertificate(std::string(pem));
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError("text holds no PEM certificate");
  }
  CertificateInfo info;
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  info.common_name = detail::nameEntry(subject, NID_commonName);
  info.organization = detail::nameEntry(subject, NID_organizationName);
  info.organizational_unit = detail::nameEntry(subject, NID_organizationalUnitName);
  info.issuer_common_name = detail::nameEntry(X509_get_issuer_name(cert.get()), NID_commonName);
  info.is_ca = X509_check_ca(cert.get()) > 0;
  info.not_before_unix = asn1TimeToUnix(X509_get0_notBefore(cert.get()));
  info.not_after_unix = asn1TimeToUnix(X509_get0_notAfter(cert.get()));
  BnPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    if (hex != nullptr) {
      info.serial_hex = hex;
      OPENSSL_free(hex);
    }
  }
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names.get(), i);
      if (gen->type == GEN_DNS) {
        const ASN1_IA5STRING* s = gen->d.dNSName;
        info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<std::size_t>(ASN1_STRING_length(s)));
      } else if (gen->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* s = gen->d.iPAddress;
        char text[INET6_ADDRSTRLEN] = {};
        int len = ASN1_STRING_length(s);
        int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
        if (family != 0 && inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof(text)) != nullptr) {
          info.ip_addresses.emplace_back(text);
        }
      }
    }
  }
  return info;
}

absl::StatusOr<CertificateInfo> readCertificateInfo(const std::string& cert_path) {
  absl::StatusOr<std::string> pem = config::readFileToString(cert_path);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<CertificateInfo> info = parseCertificateInfo(*pem);
  if (!info.ok()) return absl::InvalidArgumentError(absl::StrCat("'", cert_path, "' holds no PEM certificate"));
  return info;
}

absl::Status verifyCertificate(const std::string& ca_cert_path, const std::string& cert_path) {
  absl::StatusOr<X509Ptr> ca = loadCertificate(ca_cert_path);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<X509Ptr> cert = loadCertificate(cert_path);
  if (!cert.ok()) return cert.status();
  detail::X509StorePtr store(X509_STORE_new());
  detail::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1) {
    return absl::InternalError(absl::StrCat("cannot set up certificate verification: ", takeOpenSslError()));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat("certificate '", cert_path, "' does not verify against CA '",
                                                      ca_cert_path, "': ", X509_verify_cert_error_string(err)));
  }
  return absl::OkStatus();
}

}  // namespace orch::tls
