#include "render/view_camera.h"

#include <algorithm>

namespace orch::graphview {

QPointF ViewCamera::worldToScreen(QVector2D world) const {
  const QVector2D s = (world - centre_) * zoom_;
  return {s.x() + viewport_.width() * 0.5, s.y() + viewport_.height() * 0.5};
}

QVector2D ViewCamera::screenToWorld(QPointF screen) const {
  const QVector2D s(static_cast<float>(screen.x() - viewport_.width() * 0.5),
                    static_cast<float>(screen.y() - viewport_.height() * 0.5));
  return centre_ + s / zoom_;
}

void ViewCamera::setZoom(float zoom) { zoom_ = std::clamp(zoom, kMinZoom, kMaxZoom); }

void ViewCamera::zoomAround(QPointF screenAnchor, float factor) {
  const QVector2D anchor = screenToWorld(screenAnchor);
  setZoom(zoom_ * factor);
  // Keep `anchor` under the cursor: solve centre from screen = (anchor - centre) * zoom + vp/2.
  const QVector2D s(static_cast<float>(screenAnchor.x() - viewport_.width() * 0.5),
                    static_cast<float>(screenAnchor.y() - viewport_.height() * 0.5));
  centre_ = anchor - s / zoom_;
}

void ViewCamera::pan(QPointF pixels) {
  centre_ -= QVector2D(static_cast<float>(pixels.x()), static_cast<float>(pixels.y())) / zoom_;
}

void ViewCamera::fit(const QRectF& world, float marginPx) {
  const QPointF c = world.center();
  centre_ = QVector2D(static_cast<float>(c.x()), static_cast<float>(c.y()));
  const float w = std::max(1.0f, viewport_.width() - 2.0f * marginPx);
  const float h = std::max(1.0f, viewport_.height() - 2.0f * marginPx);
  const float ww = std::max(1e-3f, static_cast<float>(world.width()));
  const float wh = std::max(1e-3f, static_cast<float>(world.height()));
  setZoom(std::min(w / ww, h / wh));
}

QRectF ViewCamera::visibleWorld() const {
  const QVector2D a = screenToWorld(QPointF(0, 0));
  const QVector2D b = screenToWorld(QPointF(viewport_.width(), viewport_.height()));
  return QRectF(QPointF(a.x(), a.y()), QPointF(b.x(), b.y()));
}

}  // namespace orch::graphview
