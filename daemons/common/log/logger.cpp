#include "common/log/logger.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <exception>
#include <memory>

#include <spdlog/formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace orch::log {
namespace {

// Fields attached to the message being logged on this thread (sync loggers format in the caller).
thread_local const nlohmann::json* t_fields = nullptr;

std::string_view levelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

std::string isoTimestamp(spdlog::log_clock::time_point tp) {
  using namespace std::chrono;
  auto since_epoch = tp.time_since_epoch();
  auto secs = duration_cast<seconds>(since_epoch);
  auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(millis));
  return buf;
}

class JsonLineFormatter final : public spdlog::formatter {
 public:
  explicit JsonLineFormatter(std::string component) : component_(std::move(component)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["ts"] = isoTimestamp(msg.time);
    line["level"] = levelName(msg.level);
    line["component"] = component_;
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    if (t_fields != nullptr) {
      if (t_fields->is_object()) {
        for (const auto& [key, value] : t_fields->items()) {
          bool reserved = key == "ts" || key == "level" || key == "component" || key == "msg";
          line[reserved ? "field_" + key : key] = value;
        }
      } else if (!t_fields->is_null()) {
        line["fields"] = *t_fields;
      }
    }
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    dest.append(text.data(), text.data() + text.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>(component_);
  }

 private:
  std::string component_;
};

bool parseLevel(std::string text, spdlog::level::level_enum* out) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "trace") *out = spdlog::level::trace;
  else if (text == "debug") *out = spdlog::level::debug;
  else if (text == "info") *out = spdlog::level::info;
  else if (text == "warn" || text == "warning") *out = spdlog::level::warn;
  else if (text == "error" || text == "err") *out = spdlog::level::err;
  else if (text == "critical" || text == "fatal") *out = spdlog::level::critical;
  else if (text == "off" || text == "none") *out = spdlog::level::off;
  else return false;
  return true;
}

void logWithFields(spdlog::level::level_enum level, std::string_view msg, const nlohmann::json& fields) {
  auto logger = spdlog::default_logger();
  if (!logger || !logger->should_log(level)) return;
  t_fields = &fields;
  logger->log(level, spdlog::string_view_t(msg.data(), msg.size()));
  t_fields = nullptr;
}

}  // namespace

void initLogging(const std::string& component, const std::string& level, const std::string& file) {
  std::vector<std::string> problems;
  spdlog::sink_ptr sink;
  if (!file.empty()) {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, /*truncate=*/false);
    } catch (const std::exception& e) {
      problems.push_back("cannot open log file '" + file + "', logging to stderr: " + e.what());
    }
  }
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();

  spdlog::level::level_enum lvl = spdlog::level::info;
  if (!parseLevel(level, &lvl)) {
    problems.push_back("unknown log level '" + level + "', using info");
    lvl = spdlog::level::info;
  }

  auto logger = std::make_shared<spdlog::logger>(component, sink);
  logger->set_formatter(std::make_unique<JsonLineFormatter>(component));
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  for (const std::string& problem : problems) {
    logWithFields(spdlog::level::warn, problem, nlohmann::json::object());
  }
}

void logTrace(std::string_view msg, const nlohmann::json& fields) { logWithFields(spdlog::level::trace, msg, fields); }
void logDebug(std::string_view msg, const nlohmann::json& fields) { logWithFields(spdlog::level::debug, msg, fields); }
void logInfo(std::string_view msg, const nlohmann::json& fields) { logWithFields(spdlog::level::info, msg, fields); }
void logWarn(std::string_view msg, const nlohmann::json& fields) { logWithFields(spdlog::level::warn, msg, fields); }
void logError(std::string_view msg, const nlohmann::json& fields) { logWithFields(spdlog::level::err, msg, fields); }

void flushLogs() {
  if (auto logger = spdlog::default_logger()) logger->flush();
}

}  // namespace orch::log
