#include "supervisor_log.h"

#include "absl/strings/string_view.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>

namespace orch::agent {

void supervisorLog(absl::string_view level, absl::string_view msg, const nlohmann::json& fields) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm {};
  gmtime_r(&secs, &tm);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  nlohmann::json line = {{"ts", ts},
                         {"level", std::string(level)},
                         {"component", "task-supervisor"},
                         {"msg", std::string(msg)},
                         {"pid", ::getpid()}};
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[line.contains(k) ? "field_" + k : k] = v;
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace orch::agent
