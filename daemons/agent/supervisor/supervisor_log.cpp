#include "supervisor_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>

namespace orch::agent {
namespace {

std::string& logFile() {
  static std::string path;
  return path;
}

}  // namespace

void setSupervisorLogFile(const std::string& path) { logFile() = path; }

void supervisorLog(absl::string_view level, absl::string_view msg, const nlohmann::json& fields) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
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
  int fd = STDERR_FILENO;
  if (!logFile().empty()) {
    fd = ::open(logFile().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) fd = STDERR_FILENO;
  }
  (void)!::write(fd, text.data(), text.size());
  if (fd != STDERR_FILENO) ::close(fd);
}

}  // namespace orch::agent
