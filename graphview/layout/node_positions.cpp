#include "layout/node_positions.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace orch::graphview {
namespace {

constexpr float kGoldenAngle = 2.39996323f;

// A stable pseudo-random number in [0, 1) from a node id.
float idNoise(const QString& id) {
  const size_t h = qHash(id, 0x9e3779b9U);
  return static_cast<float>(h % 10007) / 10007.0f;
}

}  // namespace

AdoptResult NodePositions::adopt(const VisibleGraph* old, const VisibleGraph& graph,
                                 float spacing) {
  const int n = graph.nodeCount();
  AdoptResult result;
  result.oldIndexOf.assign(n, -1);
  std::vector<QVector2D> next(n);
  std::vector<uint8_t> nextPinned(n, 0);
  std::vector<uint8_t> placed(n, 0);
  std::vector<int> placedChildren(n, 0);

  QVector2D centroid;
  float extent = 0.0f;
  int kept = 0;
  if (old != nullptr) {
    for (int i = 0; i < n; ++i) {
      const int o = old->find(graph.nodes[i].id);
      if (o >= 0 && o < size()) {
        result.oldIndexOf[i] = o;
        next[i] = positions_[o];
        nextPinned[i] = pinned_[o];
        placed[i] = 1;
        centroid += next[i];
        ++kept;
      }
    }
  }
  if (kept > 0) {
    centroid /= static_cast<float>(kept);
    for (int i = 0; i < n; ++i) {
      if (placed[i]) extent = std::max(extent, (next[i] - centroid).length());
    }
  }

  // Roots of new subtrees go on a sunflower spiral sized by how many nodes are new.
  int newCount = 0;
  int newRoots = 0;
  for (int i = 0; i < n; ++i) {
    if (placed[i]) continue;
    ++newCount;
    newRoots += graph.nodes[i].parent < 0 ? 1 : 0;
  }
  const float perRoot = static_cast<float>(newCount) / static_cast<float>(std::max(1, newRoots));
  int spiralSlot = 0;
  // Sunflower spacing so each root gets about the area its subtree needs at unit density.
  const float spiralStep = spacing * 1.2f * std::sqrt(std::max(1.0f, perRoot) / std::numbers::pi_v<float>);
  auto spiralPosition = [&](int i) {
    const int k = spiralSlot++;
    if (kept == 0) {
      const float r = spiralStep * std::sqrt(static_cast<float>(k) + 0.5f);
      return QVector2D(r * std::cos(k * kGoldenAngle), r * std::sin(k * kGoldenAngle));
    }
    const float a = 2.0f * std::numbers::pi_v<float> * idNoise(graph.nodes[i].id) + k * kGoldenAngle;
    const float r = extent + spacing * (1.0f + 0.5f * std::sqrt(static_cast<float>(k)));
    return centroid + QVector2D(r * std::cos(a), r * std::sin(a));
  };
  auto besideAnchor = [&](int i, int anchor) {
    const int k = placedChildren[anchor]++;
    const float a = k * kGoldenAngle + 2.0f * std::numbers::pi_v<float> * idNoise(graph.nodes[i].id);
    const float r = spacing * (0.7f + 0.15f * std::sqrt(static_cast<float>(k)));
    return next[anchor] + QVector2D(r * std::cos(a), r * std::sin(a));
  };

  // Place new nodes top-down along the visible hierarchy; a parent is always placed first.
  std::vector<int> chain;
  for (int start = 0; start < n; ++start) {
    if (placed[start]) continue;
    chain.clear();
    int cur = start;
    while (cur >= 0 && !placed[cur] && static_cast<int>(chain.size()) <= n) {
      chain.push_back(cur);
      cur = graph.nodes[cur].parent;
      if (cur >= 0 && std::find(chain.begin(), chain.end(), cur) != chain.end()) break;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const int i = *it;
      const int parent = graph.nodes[i].parent;
      int anchor = (parent >= 0 && placed[parent]) ? parent : -1;
      if (anchor < 0) {
        for (int nb : graph.neighbours(i)) {
          if (placed[nb]) {
            anchor = nb;
            break;
          }
        }
      }
      next[i] = anchor >= 0 ? besideAnchor(i, anchor) : spiralPosition(i);
      placed[i] = 1;
      ++result.added;
      result.changed.push_back(i);
    }
  }

  // Kept nodes whose neighbourhood changed are reheated too.
  if (old != nullptr) {
    std::vector<int> mine;
    std::vector<int> theirs;
    for (int i = 0; i < n; ++i) {
      const int o = result.oldIndexOf[i];
      if (o < 0) continue;
      const auto nbNew = graph.neighbours(i);
      const auto nbOld = old->neighbours(o);
      bool differs = nbNew.size() != nbOld.size();
      if (!differs) {
        mine.clear();
        for (int nb : nbNew) mine.push_back(result.oldIndexOf[nb]);
        theirs.assign(nbOld.begin(), nbOld.end());
        std::sort(mine.begin(), mine.end());
        std::sort(theirs.begin(), theirs.end());
        differs = mine != theirs;
      }
      if (differs) result.changed.push_back(i);
    }
  }

  positions_ = std::move(next);
  pinned_ = std::move(nextPinned);
  return result;
}

QRectF NodePositions::bounds() const {
  if (positions_.empty()) return {};
  float minX = positions_[0].x();
  float maxX = minX;
  float minY = positions_[0].y();
  float maxY = minY;
  for (const QVector2D& p : positions_) {
    minX = std::min(minX, p.x());
    maxX = std::max(maxX, p.x());
    minY = std::min(minY, p.y());
    maxY = std::max(maxY, p.y());
  }
  return QRectF(QPointF(minX, minY), QPointF(maxX, maxY));
}

}  // namespace orch::graphview
