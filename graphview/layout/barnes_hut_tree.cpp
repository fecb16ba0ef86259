#include "layout/barnes_hut_tree.h"

#include <algorithm>
#include <cmath>

namespace orch::graphview {
namespace {

constexpr int kLeafSize = 8;
constexpr int kMaxDepth = 24;
constexpr float kCoincident = 1e-6f;

// Direction for two coincident points, antisymmetric in (i, j).
QVector2D separation(int i, int j) {
  const int lo = std::min(i, j);
  const int hi = std::max(i, j);
  const unsigned h = static_cast<unsigned>(lo) * 2654435761U ^ static_cast<unsigned>(hi) * 40503U;
  const float angle = static_cast<float>(h % 6283U) / 1000.0f;
  const QVector2D dir(std::cos(angle), std::sin(angle));
  return i < j ? dir : -dir;
}

}  // namespace

void BarnesHutTree::build(std::span<const QVector2D> points) {
  cells_.clear();
  const int n = static_cast<int>(points.size());
  order_.resize(n);
  for (int i = 0; i < n; ++i) order_[i] = i;
  if (n == 0) return;
  float minX = points[0].x();
  float maxX = minX;
  float minY = points[0].y();
  float maxY = minY;
  for (const QVector2D& p : points) {
    minX = std::min(minX, p.x());
    maxX = std::max(maxX, p.x());
    minY = std::min(minY, p.y());
    maxY = std::max(maxY, p.y());
  }
  Cell root;
  root.size = std::max({maxX - minX, maxY - minY, 1e-3f}) * 1.0001f;
  root.count = n;
  root.begin = 0;
  root.end = n;
  cells_.reserve(static_cast<size_t>(n / 2 + 16));
  cells_.push_back(root);
  split(0, QVector2D(minX, minY), 0, points);
}

void BarnesHutTree::split(int cell, QVector2D origin, int depth, std::span<const QVector2D> points) {
  const int begin = cells_[cell].begin;
  const int end = cells_[cell].end;
  QVector2D sum;
  for (int k = begin; k < end; ++k) sum += points[order_[k]];
  cells_[cell].centre = sum / static_cast<float>(end - begin);
  if (end - begin <= kLeafSize || depth >= kMaxDepth) return;

  const float half = cells_[cell].size * 0.5f;
  const float midX = origin.x() + half;
  const float midY = origin.y() + half;
  int* first = order_.data() + begin;
  int* last = order_.data() + end;
  int* ySplit = std::partition(first, last, [&](int i) { return points[i].y() < midY; });
  int* xSplitLow = std::partition(first, ySplit, [&](int i) { return points[i].x() < midX; });
  int* xSplitHigh = std::partition(ySplit, last, [&](int i) { return points[i].x() < midX; });
  const int bounds[5] = {begin, static_cast<int>(xSplitLow - order_.data()),
                         static_cast<int>(ySplit - order_.data()),
                         static_cast<int>(xSplitHigh - order_.data()), end};
  const QVector2D origins[4] = {origin, QVector2D(midX, origin.y()), QVector2D(origin.x(), midY),
                                QVector2D(midX, midY)};
  const int firstChild = static_cast<int>(cells_.size());
  cells_[cell].firstChild = firstChild;
  for (int q = 0; q < 4; ++q) {
    Cell child;
    child.size = half;
    child.begin = bounds[q];
    child.end = bounds[q + 1];
    child.count = child.end - child.begin;
    cells_.push_back(child);
  }
  for (int q = 0; q < 4; ++q) {
    if (cells_[firstChild + q].count > 0) split(firstChild + q, origins[q], depth + 1, points);
  }
}

QVector2D BarnesHutTree::repulsion(int i, std::span<const QVector2D> points, float theta) const {
  QVector2D force;
  if (cells_.empty()) return force;
  const QVector2D p = points[i];
  const float theta2 = theta * theta;
  int stack[4 * kMaxDepth + 8];
  int top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const Cell& c = cells_[stack[--top]];
    if (c.count == 0) continue;
    if (c.firstChild < 0) {
      for (int k = c.begin; k < c.end; ++k) {
        const int j = order_[k];
        if (j == i) continue;
        const QVector2D diff = p - points[j];
        const float d2 = QVector2D::dotProduct(diff, diff);
        if (d2 < kCoincident) {
          force += separation(i, j) * 1000.0f;
        } else {
          force += diff / d2;
        }
      }
      continue;
    }
    const QVector2D diff = p - c.centre;
    const float d2 = QVector2D::dotProduct(diff, diff);
    if (c.size * c.size < theta2 * d2) {
      force += diff * (static_cast<float>(c.count) / d2);
    } else {
      for (int q = 0; q < 4; ++q) stack[top++] = c.firstChild + q;
    }
  }
  return force;
}

}  // namespace orch::graphview
