#pragma once

#include "model/visible_graph.h"

#include <QRectF>
#include <QVector2D>

#include <cstdint>
#include <vector>

namespace orch::graphview {

// What NodePositions::adopt() changed.
struct AdoptResult {
  std::vector<int> oldIndexOf;  // per node of the new graph: its index in the old one, or -1
  std::vector<int> changed;     // nodes to reheat: new ones and those whose neighbours changed
  int added = 0;
};

// Node positions (world units) for one VisibleGraph, owned apart from the layout algorithm.
// Pinned nodes are never moved by a layout.
class NodePositions {
 public:
  int size() const { return static_cast<int>(positions_.size()); }
  QVector2D get(int i) const { return positions_[i]; }
  void set(int i, QVector2D p) { positions_[i] = p; }
  bool pinned(int i) const { return pinned_[i] != 0; }
  void setPinned(int i, bool pinned) { pinned_[i] = pinned ? 1 : 0; }
  std::vector<QVector2D>& data() { return positions_; }
  const std::vector<QVector2D>& data() const { return positions_; }
  const std::vector<uint8_t>& pinnedFlags() const { return pinned_; }

  // Re-indexes for `graph`. Nodes also in `old` keep position and pin; new nodes start next to
  // their visible parent, else next to a placed neighbour, else on a spiral around the existing
  // drawing. `spacing` is the layout's rest length. Deterministic.
  AdoptResult adopt(const VisibleGraph* old, const VisibleGraph& graph, float spacing);

  // Bounding rectangle of all positions (empty rect when there are none).
  QRectF bounds() const;

 private:
  std::vector<QVector2D> positions_;
  std::vector<uint8_t> pinned_;
};

}  // namespace orch::graphview
