#include "cluster/cluster_credentials.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <QFile>

#include "absl/strings/str_cat.h"
#include "client/zk_master_resolver.h"
#include "cluster/private_key_pem.h"
#include "common/tls/grpc_tls.h"

namespace orch::console {
namespace {

absl::StatusOr<std::string> readPemFile(const std::string& path, const char* what) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat("no ", what, " file given"));
  QFile file(QString::fromStdString(path));
  if (!file.exists()) return absl::NotFoundError(absl::StrCat(what, " '", path, "' does not exist"));
  if (!file.open(QIODevice::ReadOnly)) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read ", what, " '", path, "': ", file.errorString().toStdString()));
  }
  const QByteArray bytes = file.readAll();
  return std::string(bytes.constData(), static_cast<size_t>(bytes.size()));
}

// Whether `certPem`'s first certificate carries the public half of `keyPem` (unencrypted).
absl::Status checkKeyMatches(const std::string& certPem, const std::string& keyPem, const client::ClientConfig& c) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> certBio(BIO_new_mem_buf(certPem.data(), static_cast<int>(certPem.size())),
                                                        &BIO_free_all);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr),
                                                    &X509_free);
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("certificate '", c.tls.cert, "' holds no PEM certificate"));
  }
  std::unique_ptr<BIO, decltype(&BIO_free_all)> keyBio(BIO_new_mem_buf(keyPem.data(), static_cast<int>(keyPem.size())),
                                                       &BIO_free_all);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  const bool matches = key && X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key '", c.tls.key, "' does not match certificate '", c.tls.cert, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ClusterCredentials>> ClusterCredentials::load(const client::ClientConfig& config,
                                                                                   const std::string& keyPassphrase) {
  if (absl::Status s = client::validateClientConfig(config); !s.ok()) return s;
  auto ca = readPemFile(config.tls.ca_cert, "CA certificate");
  if (!ca.ok()) return ca.status();
  auto cert = readPemFile(config.tls.cert, "certificate");
  if (!cert.ok()) return cert.status();
  auto keyText = readPemFile(config.tls.key, "private key");
  if (!keyText.ok()) return keyText.status();
  std::unique_ptr<ClusterCredentials> out(new ClusterCredentials());
  out->config_ = config;
  out->keyWasEncrypted_ = isEncryptedPrivateKeyPem(*keyText);
  auto key = decryptPrivateKeyPem(*keyText, keyPassphrase, config.tls.key);
  OPENSSL_cleanse(keyText->data(), keyText->size());
  if (!key.ok()) return key.status();
  if (ca->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("CA certificate '", config.tls.ca_cert, "' holds no PEM certificate"));
  }
  absl::Status matches = checkKeyMatches(*cert, *key, config);
  if (matches.ok()) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = *ca;
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
    out->credentials_ = grpc::SslCredentials(options);
    OPENSSL_cleanse(options.pem_private_key.data(), options.pem_private_key.size());
  }
  OPENSSL_cleanse(key->data(), key->size());
  if (!matches.ok()) return matches;
  if (!out->credentials_) return absl::InternalError("gRPC refused the channel TLS credentials");
  return std::shared_ptr<const ClusterCredentials>(std::move(out));
}

bool ClusterCredentials::usesZooKeeper() const {
  for (const std::string& m : config_.masters) {
    if (client::isZkMasterUrl(m)) return true;
  }
  return false;
}

absl::StatusOr<std::shared_ptr<client::MasterChannels>> ClusterCredentials::masterChannels(
    std::chrono::milliseconds zkTimeout) const {
  std::vector<client::MasterChannels::Endpoint> endpoints;
  for (const std::string& entry : config_.masters) {
    std::vector<std::string> addresses = {entry};
    if (client::isZkMasterUrl(entry)) {
      auto resolved = client::resolveMastersFromZk(entry, zkTimeout);
      if (!resolved.ok()) return resolved.status();
      addresses = *std::move(resolved);
    }
    for (const std::string& address : addresses) {
      endpoints.push_back({address, tls::makeChannel(address, credentials_)});
    }
  }
  if (endpoints.empty()) return absl::InvalidArgumentError("no master address configured");
  return std::make_shared<client::MasterChannels>(std::move(endpoints), credentials_);
}

}  // namespace orch::console
