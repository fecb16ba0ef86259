#include "ctl/events_command.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "client/operator_client.h"
#include "ctl/cluster_tables.h"
#include "ctl/interrupt_signal.h"
#include "ctl/resource_format.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

std::string describeOperatorEvent(const v1::OperatorEvent& event) {
  std::string line = v1::OperatorEvent::Type_Name(event.type());
  switch (event.type()) {
    case v1::OperatorEvent::SUBSCRIBED:
      absl::StrAppend(&line, " ", event.state().agents_size(), " agents, ",
                      event.state().frameworks_size(), " frameworks, ", event.state().tasks_size(),
                      " active tasks");
      break;
    case v1::OperatorEvent::TASK_ADDED:
    case v1::OperatorEvent::TASK_UPDATED: {
      const v1::TaskRecord& task = event.task();
      absl::StrAppend(&line, " ", task.task_info().task_id(), " ", taskStateShortName(task.state()));
      if (!task.task_info().agent_id().empty()) absl::StrAppend(&line, " on agent ", task.task_info().agent_id());
      if (task.latest_status().has_exit_code()) {
        absl::StrAppend(&line, " exit code ", task.latest_status().exit_code());
      }
      break;
    }
    case v1::OperatorEvent::AGENT_ADDED:
    case v1::OperatorEvent::AGENT_UPDATED:
      absl::StrAppend(&line, " ", event.agent().agent_info().agent_id(), " (",
                      event.agent().agent_info().hostname(), ") ", agentStatusName(event.agent().status()));
      break;
    case v1::OperatorEvent::AGENT_REMOVED:
      absl::StrAppend(&line, " ", event.agent_id().empty() ? event.agent().agent_info().agent_id()
                                                           : event.agent_id());
      break;
    case v1::OperatorEvent::FRAMEWORK_ADDED:
    case v1::OperatorEvent::FRAMEWORK_UPDATED:
      absl::StrAppend(&line, " ", event.framework().framework_info().framework_id(), " (",
                      event.framework().framework_info().name(), ")");
      break;
    case v1::OperatorEvent::FRAMEWORK_REMOVED:
      absl::StrAppend(&line, " ", event.framework_id().empty()
                                      ? event.framework().framework_info().framework_id()
                                      : event.framework_id());
      break;
    default:
      break;
  }
  return line;
}

int runEventsCommand(const GlobalOptions& global, const EventsOptions& options) {
  auto config = resolveConfig(global);
  if (!config.ok()) return reportError(config.status());
  auto client = client::OperatorClient::create(*config);
  if (!client.ok()) return reportError(client.status());

  InterruptSignal interrupts;
  std::mutex out_mu;
  auto stream = (*client)->subscribe(
      [&](const v1::OperatorEvent& event) {
        if (event.type() == v1::OperatorEvent::HEARTBEAT) return;
        std::string line;
        if (options.json) {
          google::protobuf::util::JsonPrintOptions json_options;
          json_options.preserve_proto_field_names = true;
          (void)google::protobuf::util::MessageToJsonString(event, &line, json_options);
        } else {
          line = describeOperatorEvent(event);
        }
        std::lock_guard lock(out_mu);
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      },
      [&](client::ConnectionState state, const absl::Status& status, const std::string& master) {
        std::lock_guard lock(out_mu);
        if (state == client::ConnectionState::kDisconnected) {
          std::fprintf(stderr, "disconnected from master at %s: %s (reconnecting)\n", master.c_str(),
                       std::string(status.message()).c_str());
        } else if (state == client::ConnectionState::kConnected) {
          std::fprintf(stderr, "connected to master at %s\n", master.c_str());
        }
      });
  while (interrupts.count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stream->stop();
  return kExitOk;
}

}  // namespace orch::ctl
