#include "ctl/run_task_builder.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/resource_format.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

namespace {

std::int64_t milli(double value) { return std::llround(value * 1000.0); }

bool hasWhitespace(const std::string& text) {
  for (unsigned char c : text) {
    if (absl::ascii_isspace(c)) return true;
  }
  return false;
}

bool isUnreserved(const std::string& role) { return role.empty() || role == "*"; }

}  // namespace

absl::StatusOr<v1::CommandInfo> buildCommand(const std::vector<std::string>& argv, bool force_shell) {
  if (argv.empty()) {
    return absl::InvalidArgumentError("no command given: put it after --, e.g. orchctl run -- echo hello");
  }
  v1::CommandInfo command;
  if (force_shell || (argv.size() == 1 && hasWhitespace(argv.front()))) {
    command.set_shell(true);
    command.set_value(absl::StrJoin(argv, " "));
    return command;
  }
  if (argv.front().empty()) return absl::InvalidArgumentError("the command name is empty");
  command.set_shell(false);
  command.set_value(argv.front());
  for (const std::string& arg : argv) command.add_arguments(arg);
  return command;
}

absl::StatusOr<std::vector<v1::Resource>> pickResources(const v1::Offer& offer,
                                                        const ResourceRequest& request) {
  struct Want {
    const char* name;
    double amount;
  };
  const Want wants[] = {{"cpus", request.cpus}, {"mem", request.mem}, {"disk", request.disk}};
  const bool reserved_role = !isUnreserved(request.role);

  std::vector<v1::Resource> picked;
  std::vector<std::string> short_of;
  for (const Want& want : wants) {
    std::int64_t needed = milli(want.amount);
    if (needed <= 0) continue;
    std::int64_t available = 0;
    std::vector<v1::Resource> taken;
    // Pass 0: the role's own reservation; pass 1: unreserved resources.
    for (int pass = 0; pass < 2 && needed > 0; ++pass) {
      for (const v1::Resource& r : offer.resources()) {
        if (r.type() != v1::Resource::SCALAR || r.name() != want.name) continue;
        const bool matches = pass == 0 ? (reserved_role && r.role() == request.role)
                                       : isUnreserved(r.role());
        if (!matches) continue;
        const std::int64_t have = milli(r.scalar().value());
        available += have;
        if (needed <= 0 || have <= 0) continue;
        const std::int64_t take = std::min(have, needed);
        v1::Resource part = r;
        part.mutable_scalar()->set_value(static_cast<double>(take) / 1000.0);
        taken.push_back(std::move(part));
        needed -= take;
      }
    }
    if (needed > 0) {
      short_of.push_back(absl::StrCat(want.name, " ", formatScalar(want.name, want.amount),
                                      " wanted, ", formatScalar(want.name, available / 1000.0),
                                      " offered"));
      continue;
    }
    picked.insert(picked.end(), taken.begin(), taken.end());
  }
  if (!short_of.empty()) {
    return absl::ResourceExhaustedError(absl::StrCat("offer ", offer.offer_id(), " on ",
                                                     offer.hostname().empty() ? offer.agent_id() : offer.hostname(),
                                                     " is too small: ", absl::StrJoin(short_of, "; ")));
  }
  return picked;
}

std::string makeRunTaskId(std::uint32_t random_bits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", random_bits);
  return absl::StrCat("run-", buf);
}

std::string describeRequest(const ResourceRequest& request) {
  std::string text = absl::StrCat("cpus ", formatNumber(request.cpus), ", mem ", formatMegabytes(request.mem));
  if (request.disk > 0) absl::StrAppend(&text, ", disk ", formatMegabytes(request.disk));
  if (!isUnreserved(request.role)) absl::StrAppend(&text, " (role ", request.role, ")");
  return text;
}

bool isTerminalState(v1::TaskState state) {
  switch (state) {
    case v1::TASK_FINISHED:
    case v1::TASK_FAILED:
    case v1::TASK_KILLED:
    case v1::TASK_LOST:
    case v1::TASK_ERROR:
    case v1::TASK_DROPPED:
    case v1::TASK_GONE:
      return true;
    default:
      return false;
  }
}

int exitCodeFor(const v1::TaskStatus& status) {
  if (status.state() == v1::TASK_FINISHED) {
    return status.has_exit_code() ? (status.exit_code() & 0xff) : 0;
  }
  if (status.state() == v1::TASK_FAILED && status.has_exit_code()) {
    const int code = status.exit_code() & 0xff;
    return code == 0 ? 1 : code;
  }
  return 1;
}

std::string describeFinalStatus(const v1::TaskStatus& status) {
  std::string text = absl::StrCat("task ", status.task_id(), " ", v1::TaskState_Name(status.state()));
  if (status.has_exit_code()) {
    absl::StrAppend(&text, " exit code ", status.exit_code());
  } else {
    absl::StrAppend(&text, " (no exit code)");
  }
  if (status.reason() != v1::TaskStatus::REASON_NONE &&
      status.reason() != v1::TaskStatus::REASON_COMMAND_EXITED) {
    absl::StrAppend(&text, ", reason ", v1::TaskStatus::Reason_Name(status.reason()));
  }
  if (!status.message().empty() && status.state() != v1::TASK_FINISHED) {
    absl::StrAppend(&text, ": ", status.message());
  }
  return text;
}

}  // namespace orch::ctl
