#pragma once

#include "layout/layout_thread.h"
#include "render/view_camera.h"

#include <QRectF>

#include <vector>

namespace orch::graphview {

// Finds nodes under the cursor, inside a rubber band, or in a keyboard direction, on the same
// snapshot the renderer drew.
class GraphPicker {
 public:
  // The topmost node whose drawn shape covers `screen` (with `slackPx` tolerance), or -1.
  static int nodeAt(const LayoutSnapshot& snapshot, const std::vector<float>& radius,
                    const ViewCamera& camera, QPointF screen, float slackPx = 2.0f);
  // Nodes whose centres lie inside the screen rectangle.
  static std::vector<int> nodesIn(const LayoutSnapshot& snapshot, const ViewCamera& camera,
                                  const QRectF& screenRect);
  // The best node to move to from `from` in screen direction `direction` (unit vector): graph
  // neighbours first, then any node, within a 60 degree cone. -1 when none.
  static int neighbourInDirection(const LayoutSnapshot& snapshot, int from, QVector2D direction);
};

}  // namespace orch::graphview
