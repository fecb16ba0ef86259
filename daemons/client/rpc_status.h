// Turns a gRPC failure into an absl::Status a person can read: same code, the server's own
// message for application errors, and plain words for transport failures
// ("cannot reach master at 127.0.0.1:5050: connection refused").
#pragma once

#include <string_view>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace orch::client {

// `peer` names who was called, e.g. "master at 127.0.0.1:5050" or "agent at 10.0.0.7:5051".
absl::Status fromGrpcStatus(const grpc::Status& status, std::string_view peer);

// The absl code with the same meaning as a gRPC code (they share numbering).
absl::StatusCode toAbslCode(grpc::StatusCode code);

// True for failures that a reconnect may cure (UNAVAILABLE, and the transport's
// DEADLINE_EXCEEDED/UNKNOWN while connecting are not included).
bool isTransportFailure(const absl::Status& status);

}  // namespace orch::client
