// Reading whole files and JSON documents, with errors that name the path.
#pragma once

#include <string>
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace orch::config {

// The file's bytes. NotFound / PermissionDenied / Internal naming the path on failure.
absl::StatusOr<std::string> readFileToString(const std::string& path);

// Parses a JSON file. Read errors as readFileToString; InvalidArgument with the parser's
// position message when the text is not JSON.
absl::StatusOr<nlohmann::json> loadJsonFile(const std::string& path);

// value.dump(2) + "\n" written with writeFileAtomically.
absl::Status writeJsonFileAtomically(const std::string& path, const nlohmann::json& value,
                                     mode_t mode = 0644);

}  // namespace orch::config
