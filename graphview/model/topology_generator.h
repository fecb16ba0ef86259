#pragma once

#include "model/graph_delta.h"
#include "model/graph_model.h"

#include <cstdint>
#include <random>

namespace orch::graphview {

// Shape of a synthetic cluster topology: hosts -> (agent, containers -> processes), plus
// services and process-to-process connections. Fan-out is drawn per parent from the ranges.
struct TopologySpec {
  int targetNodes = 1000;            // stop adding hosts once this many nodes exist
  uint32_t seed = 1;
  int containersPerHostMin = 4;
  int containersPerHostMax = 12;
  int processesPerContainerMin = 1;
  int processesPerContainerMax = 5;
  double connectionsPerProcess = 1.4;  // mean outgoing connections of a process
  double sameHostConnectionShare = 0.5;
};

// Generates synthetic topologies and live-update batches for the demo, tests and benchmark.
// Deterministic for a given seed.
class TopologyGenerator {
 public:
  explicit TopologyGenerator(TopologySpec spec);

  // One batch adding a whole topology of about spec.targetNodes nodes.
  GraphDelta generate();

  // A batch touching about `fraction` of the model's nodes: mostly status/metric updates, some
  // processes replaced (removed and a new one started in the same container) and connection churn.
  GraphDelta liveUpdate(const GraphModel& model, double fraction);

 private:
  QString newId(const char* prefix);

  TopologySpec spec_;
  std::mt19937 rng_;
  uint64_t nextId_ = 0;
};

}  // namespace orch::graphview
