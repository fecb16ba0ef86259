#pragma once

#include <QVector2D>

#include <span>
#include <vector>

namespace orch::graphview {

// A 2D Barnes–Hut quadtree over unit-mass points, rebuilt each layout iteration in O(n log n).
// repulsion() sums diff/|diff|^2 (a 1/d force) over all other points, approximating a cell by its
// centre of mass when size/distance < theta.
class BarnesHutTree {
 public:
  void build(std::span<const QVector2D> points);
  // Sum over j != i of (p_i - p_j) / |p_i - p_j|^2, approximated. Coincident points get a
  // deterministic separating direction so overlapping nodes always come apart.
  QVector2D repulsion(int i, std::span<const QVector2D> points, float theta) const;
  int cellCount() const { return static_cast<int>(cells_.size()); }

 private:
  struct Cell {
    QVector2D centre;   // centre of mass
    float size = 0.0f;  // side length of the square
    int count = 0;
    int firstChild = -1;  // four consecutive cells, or -1 for a leaf
    int begin = 0;        // range into order_
    int end = 0;
  };
  void split(int cell, QVector2D origin, int depth, std::span<const QVector2D> points);

  std::vector<Cell> cells_;
  std::vector<int> order_;
};

}  // namespace orch::graphview
