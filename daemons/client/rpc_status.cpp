#include "client/rpc_status.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace orch::client {
namespace {

bool mentionsAny(absl::string_view haystack, std::initializer_list<absl::string_view> needles) {
  const std::string lower = absl::AsciiStrToLower(haystack);
  for (absl::string_view n : needles) {
    if (absl::StrContains(lower, absl::AsciiStrToLower(n))) return true;
  }
  return false;
}

// The transport's own explanation, without gRPC's "failed to connect to all addresses" noise.
std::string transportReason(absl::string_view message) {
  if (mentionsAny(message, {"connection refused"})) return "connection refused";
  if (mentionsAny(message, {"no route to host"})) return "no route to host";
  if (mentionsAny(message, {"network is unreachable"})) return "network is unreachable";
  if (mentionsAny(message, {"connection reset"})) return "connection reset by peer";
  if (mentionsAny(message, {"timed out", "timeout"})) return "connection timed out";
  if (mentionsAny(message, {"dns resolution failed", "name or service not known",
                            "could not resolve", "domain name not found"})) {
    return "host name could not be resolved";
  }
  return std::string(message);
}

// gRPC's "failed to connect to all addresses; last error: UNKNOWN: ipv4:1.2.3.4:5: " prefix.
std::string stripConnectNoise(absl::string_view message) {
  constexpr absl::string_view kPrefix = "failed to connect to all addresses; last error: ";
  if (absl::StartsWith(message, kPrefix)) message.remove_prefix(kPrefix.size());
  // "UNKNOWN: " / "UNAVAILABLE: " status word, then "ipv4:host:port: ".
  for (absl::string_view word : {"UNKNOWN: ", "UNAVAILABLE: "}) {
    if (absl::StartsWith(message, word)) message.remove_prefix(word.size());
  }
  for (absl::string_view scheme : {"ipv4:", "ipv6:", "unix:"}) {
    if (absl::StartsWith(message, scheme)) {
      const size_t sep = message.find(": ");
      if (sep != absl::string_view::npos) message.remove_prefix(sep + 2);
      break;
    }
  }
  return std::string(message);
}

}  // namespace

absl::StatusCode toAbslCode(grpc::StatusCode code) {
  const int value = static_cast<int>(code);
  if (value < 0 || value > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return absl::StatusCode::kUnknown;
  }
  return static_cast<absl::StatusCode>(value);
}

absl::Status fromGrpcStatus(const grpc::Status& status, std::string_view peer_in) {
  const absl::string_view peer(peer_in.data(), peer_in.size());
  if (status.ok()) return absl::OkStatus();
  const std::string& message = status.error_message();
  const absl::StatusCode code = toAbslCode(status.error_code());
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE: {
      const std::string detail = stripConnectNoise(message);
      if (mentionsAny(message, {"certificate verify failed"})) {
        return absl::UnavailableError(absl::StrCat(
            "TLS handshake with ", peer,
            " failed: its certificate is not signed by the cluster CA this client trusts (--ca), "
            "or does not name the host connected to (", detail, ")"));
      }
      if (mentionsAny(message, {"handshake", "ssl", "tls", "certificate", "alert"})) {
        return absl::UnavailableError(absl::StrCat("TLS handshake with ", peer, " failed: ", detail));
      }
      // While connecting (not mid-stream), a TLS 1.3 server that rejects our certificate just
      // closes the socket after the handshake.
      if (mentionsAny(message, {"socket closed"}) && mentionsAny(message, {"failed to connect"})) {
        return absl::UnavailableError(absl::StrCat(
            "certificate rejected by ", peer,
            "? it closed the connection during the TLS handshake (is this client's certificate "
            "issued by the cluster's CA, and is it still valid?)"));
      }
      return absl::UnavailableError(
          absl::StrCat("cannot reach ", peer, ": ", transportReason(detail)));
    }
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(
          absl::StrCat(peer, " did not answer in time", message.empty() ? "" : ": ", message));
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::UnauthenticatedError(absl::StrCat("certificate rejected by ", peer, ": ", message));
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::PermissionDeniedError(absl::StrCat(peer, " refused the request: ", message));
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::UnimplementedError(
          absl::StrCat(peer, " does not implement this call (version mismatch?)",
                       message.empty() ? "" : ": ", message));
    case grpc::StatusCode::CANCELLED:
      return absl::CancelledError(message.empty() ? "cancelled" : message);
    default:
      return absl::Status(code, message.empty() ? absl::StrCat(peer, " failed without a message")
                                                : message);
  }
}

bool isTransportFailure(const absl::Status& status) { return absl::IsUnavailable(status); }

}  // namespace orch::client
