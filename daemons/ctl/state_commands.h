// `orchctl state|agents|frameworks|tasks`: read the cluster through the Operator API and print
// aligned tables, or protobuf JSON with --json.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "ctl/cli_support.h"

namespace orch::ctl {

enum class ListView { kState, kAgents, kFrameworks, kTasks };

struct ListOptions {
  ListView view = ListView::kState;
  bool json = false;
  bool include_completed = false;  // tasks: also completed ones
  std::string framework_id;        // tasks: only this framework's
};

int runListCommand(const GlobalOptions& global, const ListOptions& options);

// Indented protobuf JSON with the .proto field names.
absl::StatusOr<std::string> toJson(const google::protobuf::Message& message);

}  // namespace orch::ctl
