#include "agent/containerizer/cgroup_hierarchy.h"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "agent/containerizer/file_io.h"

namespace orch::agent {
namespace {

bool isDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Our own cgroup path in the hierarchy whose /proc/self/cgroup line lists `controller` ("" for
// the v2 line "0::/path").
std::string ownCgroup(const std::string& proc_self_cgroup, const std::string& controller) {
  for (absl::string_view line : absl::StrSplit(proc_self_cgroup, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (parts.size() != 3) continue;
    if (controller.empty()) {
      if (parts[0] == "0" && parts[1].empty()) return std::string(parts[2]);
      continue;
    }
    for (absl::string_view c : absl::StrSplit(parts[1], ',')) {
      if (c == controller) return std::string(parts[2]);
    }
  }
  return "/";
}

std::string joinCgroupPath(const std::string& mount, const std::string& own,
                           const std::string& parent) {
  std::string rel = parent.starts_with('/') ? parent : absl::StrCat(own, "/", parent);
  while (rel.find("//") != std::string::npos) rel.replace(rel.find("//"), 2, "/");
  if (!rel.empty() && rel.back() == '/') rel.pop_back();
  if (!rel.starts_with('/')) rel.insert(0, "/");
  return mount + rel;
}

absl::Status validateParent(const std::string& parent) {
  if (parent.empty()) return absl::InvalidArgumentError("cgroup parent is empty");
  for (absl::string_view part : absl::StrSplit(parent, '/', absl::SkipEmpty())) {
    if (part == "." || part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("cgroup parent '", parent, "' must not contain '.' or '..'"));
    }
  }
  return absl::OkStatus();
}

// Creates target and enables the cpu, memory and pids controllers on every level from the root
// down to it, so the task cgroups below it get cpu.*, memory.* and pids.* files.
absl::StatusOr<std::string> prepareV2(const std::string& root, const std::string& target) {
  std::vector<std::string> levels = {root};
  std::string dir = root;
  for (absl::string_view part :
       absl::StrSplit(target.substr(root.size()), '/', absl::SkipEmpty())) {
    dir = absl::StrCat(dir, "/", part);
    levels.push_back(dir);
  }
  for (const std::string& level : levels) {
    if (absl::Status st = makeDirs(level); !st.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cgroup v2: cannot create ", level, ": ", st.message()));
    }
    absl::StatusOr<std::string> available = readWholeFile(level + "/cgroup.controllers");
    std::string enable;
    for (const char* c : {"cpu", "memory", "pids"}) {
      if (available.ok() &&
          absl::StrContains(absl::StrCat(" ", *available, " "), absl::StrCat(" ", c, " "))) {
        absl::StrAppend(&enable, enable.empty() ? "" : " ", "+", c);
      }
    }
    if (enable.empty()) continue;
    if (absl::Status st = writeControlFile(level + "/cgroup.subtree_control", enable); !st.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cgroup v2: cannot enable controllers (", enable, ") on ", level, ": ", st.message(),
          " (a cgroup with processes cannot delegate controllers; use an absolute cgroup parent "
          "such as '/orchestrator' or run the agent in a delegated cgroup)"));
    }
  }
  return target;
}

}  // namespace

absl::StatusOr<CgroupHierarchy> CgroupHierarchy::prepare(const std::string& parent,
                                                         const std::string& root) {
  if (absl::Status st = validateParent(parent); !st.ok()) return st;
  absl::StatusOr<std::string> self = readWholeFile("/proc/self/cgroup");
  if (!self.ok()) return self.status();

  CgroupHierarchy h;
  absl::StatusOr<std::string> v2_controllers = readWholeFile(root + "/cgroup.controllers");
  const bool v2 =
      v2_controllers.ok() && absl::StrContains(absl::StrCat(" ", *v2_controllers, " "), " memory ");
  if (v2) {
    h.version_ = 2;
    const std::string own = ownCgroup(*self, "");
    absl::StatusOr<std::string> target = prepareV2(root, joinCgroupPath(root, own, parent));
    if (!target.ok() && !parent.starts_with('/') && own != "/") {
      // Our own cgroup holds processes (the agent), so it cannot hand controllers down (v2's
      // no-internal-processes rule): put the tasks under the root instead.
      absl::StatusOr<std::string> at_root = prepareV2(root, joinCgroupPath(root, "/", parent));
      if (at_root.ok()) target = std::move(at_root);
    }
    if (!target.ok()) return target.status();
    h.parent_dirs_["unified"] = *target;
    return h;
  }

  h.version_ = 1;
  // Only the hierarchies a task needs: memory and cpu for its limits, freezer for killing a
  // forking process tree atomically. Each one costs every launch a mkdir, an attach and an
  // rmdir, so pids (no limit is set there) is not joined.
  for (const char* controller : {"memory", "cpu", "freezer"}) {
    const std::string mount = absl::StrCat(root, "/", controller);
    const bool required =
        absl::string_view(controller) == "memory" || absl::string_view(controller) == "cpu";
    if (!isDir(mount) || !pathExists(mount + "/cgroup.procs")) {
      if (required) {
        return absl::FailedPreconditionError(absl::StrCat("no cgroup v2 memory controller at ",
                                                          root, " and no cgroup v1 '", controller,
                                                          "' hierarchy at ", mount));
      }
      continue;
    }
    const std::string dir = joinCgroupPath(mount, ownCgroup(*self, controller), parent);
    if (absl::Status st = makeDirs(dir); !st.ok()) {
      if (!required) continue;
      return absl::FailedPreconditionError(absl::StrCat("cgroup v1: cannot create ", dir, ": ",
                                                        st.message(),
                                                        ::geteuid() != 0 ? " (not root)" : ""));
    }
    if (::access((dir + "/cgroup.procs").c_str(), W_OK) != 0) {
      if (!required) continue;
      return absl::FailedPreconditionError(absl::StrCat("cgroup v1: ", dir,
                                                        "/cgroup.procs is not writable",
                                                        ::geteuid() != 0 ? " (not root)" : ""));
    }
    h.parent_dirs_[controller] = dir;
  }
  return h;
}

TaskCgroups CgroupHierarchy::forTask(const std::string& task_id) const {
  TaskCgroups out;
  out.version = version_;
  for (const auto& [controller, dir] : parent_dirs_) out.dirs[controller] = dir + "/" + task_id;
  return out;
}

std::string CgroupHierarchy::describe() const {
  std::vector<std::string> parts;
  for (const auto& [controller, dir] : parent_dirs_) parts.push_back(controller + ": " + dir);
  return absl::StrCat("cgroup v", version_, " (", absl::StrJoin(parts, ", "), ")");
}

}  // namespace orch::agent
