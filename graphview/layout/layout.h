#pragma once

#include "layout/layout_settings.h"
#include "layout/node_positions.h"
#include "model/visible_graph.h"

#include <cstdint>
#include <span>

namespace orch::graphview {

// Where a layout is in its own convergence detection.
//  Initial   – large moves; cooling.
//  FineTune  – moves are small; runs until they stop shrinking, then Finished.
//  Oscillate – moves stopped shrinking without getting small; cools faster until Finished.
//  Finished  – settled: the layout thread sleeps until something reheats it.
enum class LayoutPhase { Initial, FineTune, Oscillate, Finished };

QString layoutPhaseName(LayoutPhase phase);

// A layout algorithm. It keeps only per-node algorithm state; positions live in NodePositions.
// All calls come from one thread (the layout thread, or a test).
class Layout {
 public:
  virtual ~Layout() = default;

  // Factory name of this layout.
  virtual QString name() const = 0;
  // Runs one iteration: moves unpinned nodes of `positions` (sized to `graph`).
  virtual void step(const VisibleGraph& graph, NodePositions& positions) = 0;
  // Carries per-node state over a graph change: oldIndexOf[i] is node i's previous index or -1.
  virtual void remap(std::span<const int> oldIndexOf) = 0;
  // Makes `nodes` (and their near neighbourhood) move again; phase returns to Initial.
  virtual void reheat(const VisibleGraph& graph, std::span<const int> nodes) = 0;
  // Makes every node move again.
  virtual void reheatAll(int nodeCount) = 0;
  // A scalar the layout minimises (lower is better); used by tests and the benchmark.
  virtual double energy(const VisibleGraph& graph, const NodePositions& positions) const = 0;

  LayoutPhase phase() const { return phase_; }
  bool finished() const { return phase_ == LayoutPhase::Finished; }
  // Iterations since the last reheat.
  int64_t iterations() const { return iterations_; }
  LayoutSettings& settings() { return settings_; }
  const LayoutSettings& settings() const { return settings_; }

 protected:
  LayoutPhase phase_ = LayoutPhase::Initial;
  int64_t iterations_ = 0;
  LayoutSettings settings_;
};

}  // namespace orch::graphview
