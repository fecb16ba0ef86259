#pragma once

#include <QPointF>
#include <QRectF>
#include <QSize>
#include <QVector2D>

namespace orch::graphview {

// Maps world coordinates (layout units, y down) to widget pixels: screen = (world - centre) *
// zoom + viewport / 2.
class ViewCamera {
 public:
  QPointF worldToScreen(QVector2D world) const;
  QVector2D screenToWorld(QPointF screen) const;
  // Multiplies the zoom by `factor`, keeping the world point under `screenAnchor` fixed.
  void zoomAround(QPointF screenAnchor, float factor);
  // Moves the view by a drag of `pixels`.
  void pan(QPointF pixels);
  // Centres `world` and picks the zoom that shows it whole with `marginPx` on each side.
  void fit(const QRectF& world, float marginPx = 24.0f);
  // The world rectangle currently visible.
  QRectF visibleWorld() const;

  void setViewport(QSize size) { viewport_ = size; }
  QSize viewport() const { return viewport_; }
  QVector2D centre() const { return centre_; }
  void setCentre(QVector2D c) { centre_ = c; }
  float zoom() const { return zoom_; }
  void setZoom(float zoom);

  static constexpr float kMinZoom = 1e-4f;
  static constexpr float kMaxZoom = 64.0f;

 private:
  QVector2D centre_;
  float zoom_ = 1.0f;  // pixels per world unit
  QSize viewport_{1, 1};
};

}  // namespace orch::graphview
