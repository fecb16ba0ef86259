#include "agent/resource_detector.h"

#include <sched.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace orch::agent {

namespace {

double detectCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return std::max(1u, std::thread::hardware_concurrency());
}

// Total memory in MB, less what the host itself needs (1 GB, or half on small hosts).
double detectMemMb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") break;
  }
  double mb = kb / 1024.0;
  double reserve = std::min(1024.0, mb / 2);
  return std::max(0.0, std::floor(mb - reserve));
}

// Free space of the work dir's file system in MB, less 5% headroom.
double detectDiskMb(const std::string& work_dir) {
  struct statvfs st {};
  if (statvfs(work_dir.c_str(), &st) != 0) return 0;
  double mb = static_cast<double>(st.f_bavail) * st.f_frsize / (1024.0 * 1024.0);
  return std::floor(mb * 0.95);
}

int detectGpus() {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("nvidia", 0) == 0 && name.size() > 6 &&
        std::all_of(name.begin() + 6, name.end(), ::isdigit)) {
      count++;
    }
  }
  return count;
}

}  // namespace

absl::StatusOr<DetectedHost> detectHost(const std::string& work_dir, const std::string& overrides,
                                        const std::string& attributes) {
  DetectedHost host;
  std::map<std::string, core::Resources> by_name;
  by_name["cpus"] = core::Resources::scalar("cpus", core::Scalar::fromDouble(detectCpus()));
  by_name["mem"] = core::Resources::scalar("mem", core::Scalar::fromDouble(detectMemMb()));
  by_name["disk"] = core::Resources::scalar("disk", core::Scalar::fromDouble(detectDiskMb(work_dir)));
  by_name["ports"] = core::Resources::ranges("ports", {{31000, 32000}});
  if (int gpus = detectGpus(); gpus > 0) {
    by_name["gpus"] = core::Resources::scalar("gpus", core::Scalar::fromDouble(gpus));
  }
  if (!overrides.empty()) {
    auto parsed = core::Resources::parse(overrides);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--resources: ", parsed.status().message()));
    }
    std::map<std::string, core::Resources> replaced;
    for (const auto& [key, entry] : parsed->entries()) {
      core::Resources one;
      absl::Status s = one.add(entry);
      if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("--resources: ", s.message()));
      replaced[entry.name] += one;
    }
    for (auto& [name, value] : replaced) by_name[name] = value;
  }
  for (const auto& [name, value] : by_name) host.resources += value;

  if (!attributes.empty()) {
    for (absl::string_view item : absl::StrSplit(attributes, ';', absl::SkipWhitespace())) {
      std::vector<std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      if (kv.size() != 2 || kv[0].empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--attributes: '", item, "' is not key=value"));
      }
      host.attributes.emplace_back(std::string(absl::StripAsciiWhitespace(kv[0])),
                                   std::string(absl::StripAsciiWhitespace(kv[1])));
    }
  }
  return host;
}

}  // namespace orch::agent
