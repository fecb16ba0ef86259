#include "ctl/state_commands.h"

#include <cstdio>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "client/operator_client.h"
#include "ctl/cluster_tables.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

absl::StatusOr<std::string> toJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot render JSON: ", status.ToString()));
  }
  return out;
}

namespace {

int print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

int printJson(const google::protobuf::Message& message) {
  auto json = toJson(message);
  if (!json.ok()) return reportError(json.status());
  return print(*json);
}

}  // namespace

int runListCommand(const GlobalOptions& global, const ListOptions& options) {
  auto config = resolveConfig(global);
  if (!config.ok()) return reportError(config.status());
  auto client = client::OperatorClient::create(*config);
  if (!client.ok()) return reportError(client.status());
  // Ages are computed against the time the answer arrived.
  double now = 0;
  switch (options.view) {
    case ListView::kState: {
      auto state = (*client)->getState();
      if (!state.ok()) return reportError(state.status());
      now = nowSeconds();
      return options.json ? printJson(*state) : print(renderState(*state, now));
    }
    case ListView::kAgents: {
      auto agents = (*client)->getAgents();
      if (!agents.ok()) return reportError(agents.status());
      now = nowSeconds();
      return options.json ? printJson(*agents) : print(renderAgentsTable(agents->agents(), now));
    }
    case ListView::kFrameworks: {
      auto frameworks = (*client)->getFrameworks();
      if (!frameworks.ok()) return reportError(frameworks.status());
      now = nowSeconds();
      return options.json ? printJson(*frameworks)
                          : print(renderFrameworksTable(frameworks->frameworks(), now));
    }
    case ListView::kTasks: {
      v1::GetTasksRequest request;
      request.set_framework_id(options.framework_id);
      auto tasks = (*client)->getTasks(request);
      if (!tasks.ok()) return reportError(tasks.status());
      now = nowSeconds();
      if (!options.include_completed) tasks->clear_completed_tasks();
      return options.json ? printJson(*tasks)
                          : print(renderTasksTable(tasks->tasks(), &tasks->completed_tasks(), now));
    }
  }
  return kExitFailure;
}

}  // namespace orch::ctl
