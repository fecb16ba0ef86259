// One registry of counters, gauges and histograms per daemon, rendered in the Prometheus text
// exposition format 0.0.4.
//
// Registration (counter()/gauge()/histogram()) takes a mutex; the returned references stay valid
// for the registry's lifetime and are updated lock-free. Asking again for the same name and labels
// returns the same series. Misuse never aborts: a name that is not a valid Prometheus metric name,
// an invalid label name, or a name already registered with another type yields a detached series
// that is never rendered, and the problem is recorded in errors().
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics/counter.h"
#include "common/metrics/gauge.h"
#include "common/metrics/histogram.h"
#include "common/metrics/metric_labels.h"

namespace orch::metrics {

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // The first registration of a name fixes its buckets; later calls reuse them.
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& buckets, const Labels& labels = {});

  // Every family sorted by name, every series sorted by labels; HELP and TYPE lines per family.
  std::string renderPrometheus() const;

  // Registration problems seen so far (bad names, type clashes), oldest first.
  std::vector<std::string> errors() const;

  // The Content-Type for renderPrometheus() output.
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family;

  Family* familyFor(const std::string& name, const std::string& help, Kind kind,
                    const Labels& labels);  // nullptr on misuse (recorded)

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  std::vector<std::string> errors_;
  std::vector<std::unique_ptr<Counter>> detached_counters_;
  std::vector<std::unique_ptr<Gauge>> detached_gauges_;
  std::vector<std::unique_ptr<Histogram>> detached_histograms_;
};

}  // namespace orch::metrics
