#include "agent/containerizer/task_id.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace orch::agent {
namespace {

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

absl::Status validateTaskId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("task id is empty");
  if (id.size() > kMaxTaskIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task id is ", id.size(), " characters long; the limit is ", kMaxTaskIdLength));
  }
  if (!isAlnum(id.front())) {
    return absl::InvalidArgumentError(
        absl::StrCat("task id '", id, "' must start with a letter or digit"));
  }
  if (id.find("..") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("task id '", id, "' must not contain '..'"));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (isAlnum(c) || c == '.' || c == '_' || c == '-') continue;
    const std::string shown =
        (c == '/') ? "'/'"
        : (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            ? absl::StrCat("control character 0x", absl::Hex(static_cast<unsigned char>(c)))
            : absl::StrCat("'", std::string(1, c), "'");
    return absl::InvalidArgumentError(absl::StrCat("task id contains ", shown, " at position ", i,
                                                   "; allowed are letters, digits, '.', '_', '-'"));
  }
  return absl::OkStatus();
}

}  // namespace orch::agent
