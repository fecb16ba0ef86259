#include "ctl/logs_command.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "client/agent_files_client.h"
#include "client/operator_client.h"
#include "ctl/resource_format.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

int runLogsCommand(const GlobalOptions& global, const LogsOptions& options) {
  auto config = resolveConfig(global);
  if (!config.ok()) return reportError(config.status());
  auto client = client::OperatorClient::create(*config);
  if (!client.ok()) return reportError(client.status());

  v1::GetTasksRequest request;
  request.set_task_id(options.task_id);
  auto tasks = (*client)->getTasks(request);
  if (!tasks.ok()) return reportError(absl::StrCat("cannot find task ", options.task_id), tasks.status());

  const v1::TaskRecord* record = nullptr;
  for (const auto& t : tasks->tasks()) {
    if (t.task_info().task_id() == options.task_id) record = &t;
  }
  for (const auto& t : tasks->completed_tasks()) {
    if (record == nullptr && t.task_info().task_id() == options.task_id) record = &t;
  }
  if (record == nullptr) {
    return reportError(absl::NotFoundError(absl::StrCat(
        "the master knows no task \"", options.task_id, "\" (see `orchctl tasks --all`)")));
  }
  if (record->agent_endpoint().empty()) {
    return reportError(absl::FailedPreconditionError(absl::StrCat(
        "task ", options.task_id, " is ", taskStateShortName(record->state()),
        " and has no agent endpoint yet, so it has no logs to show")));
  }

  auto files = client::AgentFilesClient::create(config->tls);
  if (!files.ok()) return reportError(files.status());
  bool write_failed = false;
  const absl::Status status = (*files)->readLog(
      record->agent_endpoint(), options.task_id,
      options.stderr_stream ? client::LogStream::kStderr : client::LogStream::kStdout,
      options.follow, [&](const v1::LogChunk& chunk) {
        const std::string& data = chunk.data();
        if (!data.empty() && (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() ||
                              std::fflush(stdout) != 0)) {
          write_failed = true;  // e.g. the reader of a pipe went away
          return false;
        }
        return true;
      });
  if (!status.ok()) {
    return reportError(absl::StrCat("cannot read the logs of task ", options.task_id), status);
  }
  return write_failed ? kExitFailure : kExitOk;
}

}  // namespace orch::ctl
