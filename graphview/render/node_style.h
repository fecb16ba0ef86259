#pragma once

#include "model/visible_graph.h"

#include <QColor>

#include <functional>

namespace orch::graphview {

// Shapes the node shader draws (signed distance functions).
enum class NodeShape { Circle = 0, RoundedSquare = 1, Hexagon = 2, Diamond = 3, Triangle = 4, Octagon = 5 };

// How nodes look: the caller chooses the size and colour mappings.
struct NodeStyle {
  std::function<float(const VisibleNode&)> radius;  // world units
  std::function<QColor(const VisibleNode&)> color;
  std::function<NodeShape(const VisibleNode&)> shape;

  // Defaults: size by metric, colour by status, shape by kind.
  static NodeStyle standard();
  // radius = base (by kind) scaled by 1 + gain * sqrt(metric); collapsed groups grow with
  // the number of hidden nodes.
  static std::function<float(const VisibleNode&)> sizeByMetric(float gain = 0.8f);
  static std::function<float(const VisibleNode&)> uniformSize(float radius);
  static std::function<QColor(const VisibleNode&)> colorByStatus();
  static std::function<QColor(const VisibleNode&)> colorByKind();
  static std::function<NodeShape(const VisibleNode&)> shapeByKind();

  static QColor statusColor(NodeStatus status);
  static QColor kindColor(NodeKind kind);
};

}  // namespace orch::graphview
