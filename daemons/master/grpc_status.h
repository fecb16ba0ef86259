// absl::Status <-> grpc::Status: the codes share their numbering, so the mapping is 1:1.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace orch::master {

inline grpc::Status toGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace orch::master
