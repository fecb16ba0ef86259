#include "common/metrics/metrics_registry.h"

#include <charconv>
#include <cmath>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace orch::metrics {

struct MetricsRegistry::Family {
  Kind kind;
  std::string help;
  std::vector<double> buckets;  // histograms only
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
};

namespace {

const char* kindName(int kind) {
  switch (kind) {
    case 0: return "counter";
    case 1: return "gauge";
    default: return "histogram";
  }
}

bool isValidMetricName(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

bool isValidLabelName(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

// Prometheus float text: shortest round-trip form, +Inf/-Inf/NaN spelled the Prometheus way.
std::string formatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string escapeHelp(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escapeLabelValue(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

// {a="1",b="2"} with an optional extra label appended last (the histogram's le); "" if none.
std::string renderLabels(const Labels& labels, const char* extra_name = nullptr,
                         const std::string& extra_value = {}) {
  if (labels.empty() && extra_name == nullptr) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    absl::StrAppend(&out, k, "=\"", escapeLabelValue(v), "\"");
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    absl::StrAppend(&out, extra_name, "=\"", extra_value, "\"");
  }
  out += '}';
  return out;
}

}  // namespace

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family* MetricsRegistry::familyFor(const std::string& name, const std::string& help,
                                                    Kind kind, const Labels& labels) {
  std::string problem;
  if (!isValidMetricName(name)) {
    problem = absl::StrCat("invalid metric name '", name, "'");
  } else {
    for (const auto& [label, value] : labels) {
      if (!isValidLabelName(label) || (kind == Kind::kHistogram && label == "le")) {
        problem = absl::StrCat("invalid label name '", label, "' on metric '", name, "'");
        break;
      }
    }
  }
  if (problem.empty()) {
    auto it = families_.find(name);
    if (it == families_.end()) {
      auto family = std::make_unique<Family>();
      family->kind = kind;
      family->help = help;
      it = families_.emplace(name, std::move(family)).first;
    } else if (it->second->kind != kind) {
      problem = absl::StrCat("metric '", name, "' is already registered as a ",
                             kindName(static_cast<int>(it->second->kind)), ", not a ",
                             kindName(static_cast<int>(kind)));
    }
    if (problem.empty()) return it->second.get();
  }
  errors_.push_back(problem);
  spdlog::warn("metrics: {} (series detached, not exported)", problem);
  return nullptr;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family* family = familyFor(name, help, Kind::kCounter, labels);
  if (family == nullptr) return *detached_counters_.emplace_back(std::make_unique<Counter>());
  auto& slot = family->counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family* family = familyFor(name, help, Kind::kGauge, labels);
  if (family == nullptr) return *detached_gauges_.emplace_back(std::make_unique<Gauge>());
  auto& slot = family->gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<double>& buckets, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family* family = familyFor(name, help, Kind::kHistogram, labels);
  if (family == nullptr) return *detached_histograms_.emplace_back(std::make_unique<Histogram>(buckets));
  if (family->histograms.empty() && family->buckets.empty()) family->buckets = buckets;
  auto& slot = family->histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(family->buckets);
  return *slot;
}

std::string MetricsRegistry::renderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    absl::StrAppend(&out, "# HELP ", name, " ", escapeHelp(family->help), "\n");
    absl::StrAppend(&out, "# TYPE ", name, " ", kindName(static_cast<int>(family->kind)), "\n");
    switch (family->kind) {
      case Kind::kCounter:
        for (const auto& [labels, c] : family->counters) {
          absl::StrAppend(&out, name, renderLabels(labels), " ", formatValue(c->value()), "\n");
        }
        break;
      case Kind::kGauge:
        for (const auto& [labels, g] : family->gauges) {
          absl::StrAppend(&out, name, renderLabels(labels), " ", formatValue(g->value()), "\n");
        }
        break;
      case Kind::kHistogram:
        for (const auto& [labels, h] : family->histograms) {
          Histogram::Snapshot snap = h->snapshot();
          for (std::size_t i = 0; i < snap.upper_bounds.size(); ++i) {
            absl::StrAppend(&out, name, "_bucket",
                            renderLabels(labels, "le", formatValue(snap.upper_bounds[i])), " ",
                            snap.cumulative[i], "\n");
          }
          absl::StrAppend(&out, name, "_bucket", renderLabels(labels, "le", "+Inf"), " ", snap.count, "\n");
          absl::StrAppend(&out, name, "_sum", renderLabels(labels), " ", formatValue(snap.sum), "\n");
          absl::StrAppend(&out, name, "_count", renderLabels(labels), " ", snap.count, "\n");
        }
        break;
    }
  }
  return out;
}

std::vector<std::string> MetricsRegistry::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

}  // namespace orch::metrics
