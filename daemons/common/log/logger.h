// Structured JSON-line logging on top of spdlog's default logger.
//
// Every line is one JSON object:
//   {"ts":"2024-05-01T12:00:00.123Z","level":"info","component":"master","msg":"...", ...fields}
// Plain spdlog calls (spdlog::info("x {}", 1)) produce the same shape without fields.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace orch::log {

// Configures spdlog's default logger: JSON lines to stderr, or appended to `file` when given.
// level: trace|debug|info|warn|warning|error|critical|off (case-insensitive). An unknown level
// falls back to info and an unopenable file falls back to stderr; both are logged as warnings.
// May be called again to reconfigure.
void initLogging(const std::string& component, const std::string& level,
                 const std::string& file = "");

// Logs msg with extra top-level fields (must be a JSON object; anything else is put under
// "fields"). Fields named ts/level/component/msg are prefixed with "field_" to keep the shape.
void logTrace(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
void logDebug(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
void logInfo(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
void logWarn(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
void logError(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());

// Flushes the default logger's sinks.
void flushLogs();

}  // namespace orch::log
