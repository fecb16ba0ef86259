#include "agent/containerizer/task_records.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace orch::agent {
namespace {

using nlohmann::json;

// Parses text as a JSON object and runs fill(); JSON type errors become InvalidArgument naming
// the document.
template <typename T, typename Fill>
absl::StatusOr<T> parseObject(absl::string_view text, absl::string_view what, Fill fill) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object"));
  }
  T out;
  try {
    fill(doc, out);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", e.what()));
  }
  return out;
}

}  // namespace

absl::string_view taskEndName(TaskEnd end) {
  switch (end) {
    case TaskEnd::kExited:
      return "exited";
    case TaskEnd::kSignaled:
      return "signaled";
    case TaskEnd::kOomKilled:
      return "oom_killed";
    case TaskEnd::kKilled:
      return "killed";
    case TaskEnd::kLost:
      return "lost";
  }
  return "lost";
}

absl::StatusOr<TaskEnd> parseTaskEnd(absl::string_view name) {
  for (TaskEnd e : {TaskEnd::kExited, TaskEnd::kSignaled, TaskEnd::kOomKilled, TaskEnd::kKilled,
                    TaskEnd::kLost}) {
    if (taskEndName(e) == name) return e;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown task end '", name, "'"));
}

std::string toJson(const SupervisorSpec& s) {
  json env = json::object();
  for (const auto& [k, v] : s.task.environment) env[k] = v;
  json dirs = json::object();
  for (const auto& [k, v] : s.cgroups.dirs) dirs[k] = v;
  json doc = {
      {"task_id", s.task.task_id},
      {"framework_id", s.task.framework_id},
      {"shell", s.task.shell},
      {"command", s.task.command},
      {"argv", s.task.argv},
      {"environment", env},
      {"cpus", s.task.cpus},
      {"mem_bytes", s.task.mem_bytes},
      {"kill_grace_ms", s.task.kill_grace.count()},
      {"sandbox", s.sandbox},
      {"state_dir", s.state_dir},
      {"log_max_bytes", s.log_max_bytes},
      {"log_keep_files", s.log_keep_files},
      {"cgroups", {{"version", s.cgroups.version}, {"dirs", dirs}}},
      {"cgroup_pooled", s.cgroup_pooled},
      {"boot_id", s.boot_id},
  };
  return doc.dump();
}

absl::StatusOr<SupervisorSpec> parseSupervisorSpec(absl::string_view text) {
  return parseObject<SupervisorSpec>(text, "supervisor spec", [](const json& d, SupervisorSpec& s) {
    s.task.task_id = d.at("task_id").get<std::string>();
    s.task.framework_id = d.value("framework_id", "");
    s.task.shell = d.at("shell").get<bool>();
    s.task.command = d.value("command", "");
    s.task.argv = d.value("argv", std::vector<std::string>{});
    s.task.environment = d.value("environment", std::map<std::string, std::string>{});
    s.task.cpus = d.value("cpus", 0.0);
    s.task.mem_bytes = d.value("mem_bytes", uint64_t{0});
    s.task.kill_grace = std::chrono::milliseconds(d.value("kill_grace_ms", int64_t{3000}));
    s.sandbox = d.at("sandbox").get<std::string>();
    s.state_dir = d.at("state_dir").get<std::string>();
    s.log_max_bytes = d.value("log_max_bytes", uint64_t{10 << 20});
    s.log_keep_files = d.value("log_keep_files", 3);
    s.boot_id = d.value("boot_id", "");
    s.cgroup_pooled = d.value("cgroup_pooled", false);
    if (d.contains("cgroups")) {
      const json& c = d.at("cgroups");
      s.cgroups.version = c.value("version", 0);
      s.cgroups.dirs = c.value("dirs", std::map<std::string, std::string>{});
    }
  });
}

std::string toJson(const SupervisorCheckpoint& c) {
  return json{{"supervisor_pid", c.supervisor_pid},
              {"supervisor_start_ticks", c.supervisor_start_ticks},
              {"boot_id", c.boot_id},
              {"task_pid", c.task_pid},
              {"cgroups_active", c.cgroups_active},
              {"started_at_ms", c.started_at_ms}}
      .dump();
}

absl::StatusOr<SupervisorCheckpoint> parseSupervisorCheckpoint(absl::string_view text) {
  return parseObject<SupervisorCheckpoint>(
      text, "supervisor checkpoint", [](const json& d, SupervisorCheckpoint& c) {
        c.supervisor_pid = d.at("supervisor_pid").get<int>();
        c.supervisor_start_ticks = d.value("supervisor_start_ticks", uint64_t{0});
        c.boot_id = d.value("boot_id", "");
        c.task_pid = d.at("task_pid").get<int>();
        c.cgroups_active = d.value("cgroups_active", false);
        c.started_at_ms = d.value("started_at_ms", int64_t{0});
      });
}

std::string toJson(const TaskStatusRecord& s) {
  return json{{"end", std::string(taskEndName(s.end))},
              {"exit_code", s.exit_code},
              {"signal", s.signal},
              {"message", s.message},
              {"task_pid", s.task_pid},
              {"finished_at_ms", s.finished_at_ms}}
      .dump();
}

absl::StatusOr<TaskStatusRecord> parseTaskStatus(absl::string_view text) {
  absl::StatusOr<TaskStatusRecord> out;
  std::string end_name;
  out = parseObject<TaskStatusRecord>(text, "task status", [&](const json& d, TaskStatusRecord& s) {
    end_name = d.at("end").get<std::string>();
    s.exit_code = d.value("exit_code", 0);
    s.signal = d.value("signal", 0);
    s.message = d.value("message", "");
    s.task_pid = d.value("task_pid", 0);
    s.finished_at_ms = d.value("finished_at_ms", int64_t{0});
  });
  if (!out.ok()) return out;
  absl::StatusOr<TaskEnd> end = parseTaskEnd(end_name);
  if (!end.ok()) return end.status();
  out->end = *end;
  return out;
}

}  // namespace orch::agent
