#include "cluster/private_key_pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace orch::console {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct PassphraseRequest {
  std::string_view passphrase;
  bool asked = false;
};

// OpenSSL's pem_password_cb: hands over the passphrase and notes that one was needed. Returning
// -1 without a passphrase stops OpenSSL from prompting on the terminal.
int passphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
  auto* request = static_cast<PassphraseRequest*>(user);
  request->asked = true;
  if (request->passphrase.empty()) return -1;
  if (request->passphrase.size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, request->passphrase.data(), request->passphrase.size());
  return static_cast<int>(request->passphrase.size());
}

BioPtr memoryBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

absl::StatusOr<std::string> bioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) return absl::InternalError("OpenSSL wrote no PEM text");
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace

bool isEncryptedPrivateKeyPem(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

absl::StatusOr<std::string> decryptPrivateKeyPem(std::string_view pem, std::string_view passphrase,
                                                 std::string_view source) {
  const std::string name(source);
  const bool encrypted = isEncryptedPrivateKeyPem(pem);
  if (encrypted && passphrase.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("private key '", name, "' is encrypted: enter its passphrase"));
  }
  BioPtr in = memoryBio(pem);
  if (!in) return absl::ResourceExhaustedError("OpenSSL could not allocate a buffer");
  PassphraseRequest request{passphrase};
  ERR_clear_error();
  PkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, &passphraseCallback, &request));
  ERR_clear_error();
  if (!key) {
    if (encrypted || request.asked) {
      return absl::PermissionDeniedError(
          absl::StrCat("wrong passphrase for private key '", name, "' (it could not be decrypted)"));
    }
    return absl::InvalidArgumentError(absl::StrCat("private key '", name, "' holds no PEM private key"));
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out) return absl::ResourceExhaustedError("OpenSSL could not allocate a buffer");
  if (PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return absl::InternalError(absl::StrCat("cannot re-encode private key '", name, "'"));
  }
  return bioText(out.get());
}

absl::StatusOr<std::string> encryptPrivateKeyPem(std::string_view pem, std::string_view passphrase) {
  if (passphrase.empty()) return absl::InvalidArgumentError("an empty passphrase protects nothing");
  BioPtr in = memoryBio(pem);
  if (!in) return absl::ResourceExhaustedError("OpenSSL could not allocate a buffer");
  PassphraseRequest none{};
  PkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, &passphraseCallback, &none));
  ERR_clear_error();
  if (!key) return absl::InvalidArgumentError("the text holds no unencrypted PEM private key");
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out) return absl::ResourceExhaustedError("OpenSSL could not allocate a buffer");
  std::string secret(passphrase);
  const int ok = PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), secret.data(),
                                               static_cast<int>(secret.size()), nullptr, nullptr);
  OPENSSL_cleanse(secret.data(), secret.size());
  if (ok != 1) {
    ERR_clear_error();
    return absl::InternalError("OpenSSL could not encrypt the private key");
  }
  return bioText(out.get());
}

}  // namespace orch::console
