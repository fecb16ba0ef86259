#include "render/graph_picker.h"

#include <algorithm>
#include <limits>

namespace orch::graphview {

int GraphPicker::nodeAt(const LayoutSnapshot& snapshot, const std::vector<float>& radius,
                        const ViewCamera& camera, QPointF screen, float slackPx) {
  if (!snapshot.graph) return -1;
  const QVector2D world = camera.screenToWorld(screen);
  const int n = static_cast<int>(snapshot.positions.size());
  if (static_cast<int>(radius.size()) != n) return -1;
  int best = -1;
  float bestDistance = std::numeric_limits<float>::max();
  const float minRadius = 1.5f / camera.zoom();
  for (int i = 0; i < n; ++i) {
    const float reach = std::max(radius[i], minRadius) + slackPx / camera.zoom();
    const float d = (snapshot.positions[i] - world).length();
    // Later nodes draw on top, so prefer them on ties (<=).
    if (d <= reach && d - reach <= bestDistance) {
      best = i;
      bestDistance = d - reach;
    }
  }
  return best;
}

std::vector<int> GraphPicker::nodesIn(const LayoutSnapshot& snapshot, const ViewCamera& camera,
                                      const QRectF& screenRect) {
  std::vector<int> result;
  const QRectF r = screenRect.normalized();
  for (int i = 0; i < static_cast<int>(snapshot.positions.size()); ++i) {
    if (r.contains(camera.worldToScreen(snapshot.positions[i]))) result.push_back(i);
  }
  return result;
}

int GraphPicker::neighbourInDirection(const LayoutSnapshot& snapshot, int from, QVector2D direction) {
  if (!snapshot.graph || from < 0 || from >= static_cast<int>(snapshot.positions.size())) return -1;
  const QVector2D origin = snapshot.positions[from];
  auto score = [&](int j) {
    if (j == from) return std::numeric_limits<float>::max();
    const QVector2D d = snapshot.positions[j] - origin;
    const float len = d.length();
    if (len < 1e-6f) return std::numeric_limits<float>::max();
    const float cosine = QVector2D::dotProduct(d / len, direction);
    if (cosine < 0.5f) return std::numeric_limits<float>::max();
    return len * (2.0f - cosine);
  };
  int best = -1;
  float bestScore = std::numeric_limits<float>::max();
  for (int j : snapshot.graph->neighbours(from)) {
    const float s = score(j);
    if (s < bestScore) {
      bestScore = s;
      best = j;
    }
  }
  if (best >= 0) return best;
  for (int j = 0; j < static_cast<int>(snapshot.positions.size()); ++j) {
    const float s = score(j);
    if (s < bestScore) {
      bestScore = s;
      best = j;
    }
  }
  return best;
}

}  // namespace orch::graphview
