#include "render/node_style.h"

#include <cmath>

namespace orch::graphview {
namespace {

float baseRadius(NodeKind kind) {
  switch (kind) {
    case NodeKind::Host: return 12.0f;
    case NodeKind::Agent: return 6.0f;
    case NodeKind::Service: return 10.0f;
    case NodeKind::Container: return 8.0f;
    case NodeKind::Task: return 7.0f;
    case NodeKind::Process: return 5.0f;
    case NodeKind::Other: return 6.0f;
  }
  return 6.0f;
}

}  // namespace

QColor NodeStyle::statusColor(NodeStatus status) {
  switch (status) {
    case NodeStatus::Healthy: return QColor(46, 204, 113);
    case NodeStatus::Warning: return QColor(241, 196, 15);
    case NodeStatus::Critical: return QColor(231, 76, 60);
    case NodeStatus::Stopped: return QColor(127, 140, 141);
    case NodeStatus::Unknown: return QColor(52, 152, 219);
  }
  return QColor(52, 152, 219);
}

QColor NodeStyle::kindColor(NodeKind kind) {
  switch (kind) {
    case NodeKind::Host: return QColor(155, 89, 182);
    case NodeKind::Container: return QColor(52, 152, 219);
    case NodeKind::Process: return QColor(26, 188, 156);
    case NodeKind::Task: return QColor(230, 126, 34);
    case NodeKind::Agent: return QColor(236, 240, 241);
    case NodeKind::Service: return QColor(241, 196, 15);
    case NodeKind::Other: return QColor(149, 165, 166);
  }
  return QColor(149, 165, 166);
}

std::function<float(const VisibleNode&)> NodeStyle::sizeByMetric(float gain) {
  return [gain](const VisibleNode& n) {
    float r = baseRadius(n.kind) * (1.0f + gain * std::sqrt(std::max(0.0f, n.metric)));
    if (n.collapsed) r *= 1.0f + 0.25f * std::log2(1.0f + static_cast<float>(n.hiddenCount));
    return r;
  };
}

std::function<float(const VisibleNode&)> NodeStyle::uniformSize(float radius) {
  return [radius](const VisibleNode&) { return radius; };
}

std::function<QColor(const VisibleNode&)> NodeStyle::colorByStatus() {
  return [](const VisibleNode& n) { return statusColor(n.status); };
}

std::function<QColor(const VisibleNode&)> NodeStyle::colorByKind() {
  return [](const VisibleNode& n) { return kindColor(n.kind); };
}

std::function<NodeShape(const VisibleNode&)> NodeStyle::shapeByKind() {
  return [](const VisibleNode& n) {
    switch (n.kind) {
      case NodeKind::Host: return NodeShape::RoundedSquare;
      case NodeKind::Container: return NodeShape::Hexagon;
      case NodeKind::Process: return NodeShape::Circle;
      case NodeKind::Task: return NodeShape::Diamond;
      case NodeKind::Agent: return NodeShape::Triangle;
      case NodeKind::Service: return NodeShape::Octagon;
      case NodeKind::Other: return NodeShape::Circle;
    }
    return NodeShape::Circle;
  };
}

NodeStyle NodeStyle::standard() { return {sizeByMetric(), colorByStatus(), shapeByKind()}; }

}  // namespace orch::graphview
