// The supervisor's own log: JSON lines on stderr (the containerizer points stderr at
// <state_dir>/supervisor.log), same shape as the daemons' logs.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace orch::agent {

void supervisorLog(absl::string_view level, absl::string_view msg,
                   const nlohmann::json& fields = nlohmann::json::object());

}  // namespace orch::agent
