#pragma once

#include "layout/barnes_hut_tree.h"
#include "layout/layout.h"

#include <deque>
#include <vector>

namespace orch::graphview {

// Force-directed layout: Barnes–Hut 1/d repulsion, Hooke springs with a rest length on edges,
// linear gravity to the origin, per-node temperatures that cool each iteration and are raised
// locally by reheat(). Only nodes with a temperature above the freeze point are moved or even
// evaluated, so a local change costs a tree build plus work proportional to the heated region.
//
// Settings: RestLength, SpringStrength, Repulsion, Gravity, Theta, Cooling, MaxIterations, Threads.
class ForceDirectedLayout : public Layout {
 public:
  ForceDirectedLayout();

  QString name() const override { return QStringLiteral("force-directed"); }
  void step(const VisibleGraph& graph, NodePositions& positions) override;
  void remap(std::span<const int> oldIndexOf) override;
  void reheat(const VisibleGraph& graph, std::span<const int> nodes) override;
  void reheatAll(int nodeCount) override;
  // Exact potential (O(n^2)): springs 0.5k(d-L)^2, repulsion -kr*ln d per pair, gravity 0.5g|p|^2.
  double energy(const VisibleGraph& graph, const NodePositions& positions) const override;

  // Mean move of the last iteration over moved nodes, in rest lengths.
  float lastMeanMove() const { return lastMeanMove_; }
  // Nodes moved by the last iteration.
  int lastActiveCount() const { return lastActive_; }

 private:
  struct Constants {
    float restLength, spring, repulsion, gravity, theta, cooling;
  };
  Constants constants() const;
  void detectConvergence(float meanMove);
  void finish();

  std::vector<float> temperature_;
  std::vector<QVector2D> force_;
  std::vector<int> active_;
  BarnesHutTree tree_;
  std::deque<float> history_;  // recent mean moves, newest at back
  int risingCount_ = 0;
  float lastMeanMove_ = 0.0f;
  int lastActive_ = 0;
};

}  // namespace orch::graphview
