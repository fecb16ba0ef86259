// Private keys in PEM text, decrypted in memory: a profile's client key may be protected by a
// passphrase (PKCS#8 "ENCRYPTED PRIVATE KEY" or a legacy "Proc-Type: 4,ENCRYPTED" key). The
// plain key only ever exists in this process's memory, never on disk.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace orch::console {

// Whether the PEM text holds a passphrase-protected private key.
bool isEncryptedPrivateKeyPem(std::string_view pem);

// The key as unencrypted PKCS#8 PEM. `source` names the key in errors (its path).
// - FailedPrecondition when the key is encrypted and `passphrase` is empty;
// - PermissionDenied when the passphrase is wrong;
// - InvalidArgument when the text holds no private key.
// A key that is not encrypted is returned re-encoded; the passphrase is then ignored.
absl::StatusOr<std::string> decryptPrivateKeyPem(std::string_view pem, std::string_view passphrase,
                                                 std::string_view source);

// Writes `pem`'s key encrypted with AES-256-CBC under `passphrase` as PKCS#8 PEM (tests, and
// for anyone who wants to protect a key the console made).
absl::StatusOr<std::string> encryptPrivateKeyPem(std::string_view pem, std::string_view passphrase);

}  // namespace orch::console
