// The supervisor's own log: JSON lines, same shape as the daemons' logs, appended to
// <state_dir>/supervisor.log. The file is only created when there is something to say (most
// tasks never need one, and every file created costs on a launch-heavy host); before
// setSupervisorLogFile() the lines go to stderr.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace orch::agent {

void setSupervisorLogFile(const std::string& path);
void supervisorLog(absl::string_view level, absl::string_view msg,
                   const nlohmann::json& fields = nlohmann::json::object());

}  // namespace orch::agent
