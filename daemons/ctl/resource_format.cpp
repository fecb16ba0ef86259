#include "ctl/resource_format.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

namespace {

std::string trimmedFixed(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  double rounded = std::round(value * scale) / scale;
  if (rounded == 0.0) rounded = 0.0;  // no "-0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, rounded);
  std::string text(buf);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

bool isSizeName(std::string_view name) {
  return name == "mem" || name == "disk" || name.ends_with("_mb");
}

}  // namespace

std::string formatNumber(double value) {
  if (!std::isfinite(value)) return "?";
  return trimmedFixed(value, 3);
}

std::string formatMegabytes(double megabytes) {
  if (!std::isfinite(megabytes)) return "?";
  const double magnitude = std::fabs(megabytes);
  if (magnitude >= 1024.0 * 1024.0) return absl::StrCat(trimmedFixed(megabytes / (1024.0 * 1024.0), 1), " TB");
  if (magnitude >= 1024.0) return absl::StrCat(trimmedFixed(megabytes / 1024.0, 1), " GB");
  return absl::StrCat(trimmedFixed(megabytes, 1), " MB");
}

std::string formatScalar(std::string_view name, double value) {
  return isSizeName(name) ? formatMegabytes(value) : formatNumber(value);
}

std::string formatRanges(const v1::Resource::Ranges& ranges) {
  std::vector<std::string> parts;
  for (const v1::Resource::Range& r : ranges.range()) {
    parts.push_back(r.begin() == r.end() ? absl::StrCat(r.begin()) : absl::StrCat(r.begin(), "-", r.end()));
  }
  return absl::StrJoin(parts, ",");
}

double scalarTotal(const ResourceList& resources, std::string_view name) {
  double total = 0;
  for (const v1::Resource& r : resources) {
    if (r.type() == v1::Resource::SCALAR && r.name() == name) total += r.scalar().value();
  }
  return total;
}

std::string formatResources(const ResourceList& resources) {
  // Keep the order of first appearance, but with the well-known names first.
  static const std::vector<std::string> kFirst = {"cpus", "gpus", "mem", "disk", "ports"};
  struct Entry {
    std::string label;
    std::string name;
    std::string role;
    double scalar = 0;
    std::vector<std::string> texts;
    bool is_scalar = true;
  };
  std::vector<Entry> entries;
  auto find = [&](const std::string& name, const std::string& role) -> Entry& {
    for (Entry& e : entries) {
      if (e.name == name && e.role == role) return e;
    }
    entries.push_back(Entry{name, name, role});
    return entries.back();
  };
  for (const v1::Resource& r : resources) {
    const std::string role = (r.role().empty() || r.role() == "*") ? "" : r.role();
    Entry& e = find(r.name(), role);
    switch (r.type()) {
      case v1::Resource::SCALAR:
        e.scalar += r.scalar().value();
        break;
      case v1::Resource::RANGES:
        e.is_scalar = false;
        e.texts.push_back(formatRanges(r.ranges()));
        break;
      case v1::Resource::SET:
        e.is_scalar = false;
        e.texts.push_back(absl::StrCat("{", absl::StrJoin(r.set().item(), ","), "}"));
        break;
      default:
        break;
    }
  }
  std::vector<std::string> parts;
  auto render = [&](const Entry& e) {
    std::string text = absl::StrCat(e.name, " ", e.is_scalar ? formatScalar(e.name, e.scalar)
                                                           : absl::StrJoin(e.texts, ","));
    if (!e.role.empty()) absl::StrAppend(&text, " (", e.role, ")");
    parts.push_back(std::move(text));
  };
  std::vector<bool> done(entries.size(), false);
  for (const std::string& name : kFirst) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!done[i] && entries[i].name == name) {
        render(entries[i]);
        done[i] = true;
      }
    }
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!done[i]) render(entries[i]);
  }
  return absl::StrJoin(parts, ", ");
}

std::string formatUsage(std::string_view name, const ResourceList& used, const ResourceList& total) {
  return absl::StrCat(formatScalar(name, scalarTotal(used, name)), " / ",
                      formatScalar(name, scalarTotal(total, name)));
}

std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  const long long s = static_cast<long long>(seconds);
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m", s % 60, "s");
  if (s < 86400) return absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m");
  return absl::StrCat(s / 86400, "d", (s % 86400) / 3600, "h");
}

std::string taskStateShortName(v1::TaskState state) {
  std::string name = v1::TaskState_Name(state);
  if (name.empty()) return absl::StrCat("STATE_", static_cast<int>(state));
  if (name.starts_with("TASK_")) name.erase(0, 5);
  return name;
}

}  // namespace orch::ctl
