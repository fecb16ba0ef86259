#include "common/config/json_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "common/config/atomic_file.h"

namespace orch::config {

absl::StatusOr<std::string> readFileToString(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("readFileToString: empty path");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    std::string message = absl::StrCat("cannot read '", path, "': ", std::strerror(err));
    if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read '", path, "': is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string message = absl::StrCat("cannot open '", path, "': ", std::strerror(err));
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return absl::InternalError(absl::StrCat("error while reading '", path, "'"));
  return buf.str();
}

absl::StatusOr<nlohmann::json> loadJsonFile(const std::string& path) {
  absl::StatusOr<std::string> text = readFileToString(path);
  if (!text.ok()) return text.status();
  nlohmann::json value = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    // Re-parse with a sax handler-free path to get the position message without exceptions.
    struct ErrorCatcher : nlohmann::json_sax<nlohmann::json> {
      std::string message;
      bool null() override { return true; }
      bool boolean(bool) override { return true; }
      bool number_integer(number_integer_t) override { return true; }
      bool number_unsigned(number_unsigned_t) override { return true; }
      bool number_float(number_float_t, const string_t&) override { return true; }
      bool string(string_t&) override { return true; }
      bool binary(binary_t&) override { return true; }
      bool start_object(std::size_t) override { return true; }
      bool key(string_t&) override { return true; }
      bool end_object() override { return true; }
      bool start_array(std::size_t) override { return true; }
      bool end_array() override { return true; }
      bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        message = ex.what();
        return false;
      }
    } catcher;
    nlohmann::json::sax_parse(*text, &catcher);
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not valid JSON: ", catcher.message.empty() ? "parse error" : catcher.message));
  }
  return value;
}

absl::Status writeJsonFileAtomically(const std::string& path, const nlohmann::json& value, mode_t mode) {
  std::string text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  return writeFileAtomically(path, text, mode);
}

}  // namespace orch::config
