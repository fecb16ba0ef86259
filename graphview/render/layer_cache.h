#pragma once

#include "render/view_camera.h"

#include <QOpenGLExtraFunctions>
#include <QOpenGLFramebufferObject>
#include <QRectF>
#include <QSize>

#include <cmath>
#include <memory>

namespace orch::graphview {

// An off-screen RGBA texture holding a pre-rendered layer of the graph (premultiplied alpha) for
// a world rectangle larger than the view. While the view pans (or zooms a little) inside that
// rectangle, the layer is composited with the current camera instead of being rasterised again.
// Header-only so the render directory can grow without touching the library's CMakeLists.
class LayerCache {
 public:
  // Fraction of the viewport added on each side of the cached area.
  static constexpr float kMargin = 0.25f;

  bool valid() const { return fbo_ != nullptr && valid_; }
  void invalidate() { valid_ = false; }
  void release() {
    fbo_.reset();
    valid_ = false;
  }

  // The camera the layer is rendered with: same centre and zoom as `view`, viewport grown by
  // `margin` (a fraction of the viewport) on every side.
  static ViewCamera cacheCamera(const ViewCamera& view, float margin = kMargin) {
    ViewCamera c = view;
    const QSize vp = view.viewport();
    const int mx = static_cast<int>(std::ceil(vp.width() * margin));
    const int my = static_cast<int>(std::ceil(vp.height() * margin));
    c.setViewport(QSize(vp.width() + 2 * mx, vp.height() + 2 * my));
    return c;
  }

  // True when the cached rectangle covers everything `view` shows, at the same viewport size
  // and the same zoom (or, with `scaledZoomRatio` > 1, a zoom within that ratio).
  bool covers(const ViewCamera& view, float scaledZoomRatio) const {
    if (!valid() || view.viewport() != viewSize_) return false;
    const float ratio = view.zoom() / zoom_;
    if (ratio != 1.0f && (scaledZoomRatio <= 1.0f || ratio > scaledZoomRatio || ratio < 1.0f / scaledZoomRatio)) {
      return false;
    }
    const QRectF v = view.visibleWorld();
    const double eps = 0.01 / view.zoom();
    return v.left() >= world_.left() - eps && v.right() <= world_.right() + eps && v.top() >= world_.top() - eps &&
           v.bottom() <= world_.bottom() + eps;
  }
  bool exactZoom(const ViewCamera& view) const { return view.zoom() == zoom_; }

  // Binds the layer's framebuffer for rendering with `cam` (from cacheCamera()) and clears it to
  // `clear` (premultiplied; opaque when the layer is the whole picture). end() restores the
  // framebuffer and viewport that were bound before.
  void begin(QOpenGLExtraFunctions& gl, const ViewCamera& view, const ViewCamera& cam, const float (&clear)[4]) {
    // Saved before creating the framebuffer object: its constructor changes the binding.
    gl.glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previousFbo_);
    gl.glGetIntegerv(GL_VIEWPORT, previousViewport_);
    const QSize size = cam.viewport();
    if (!fbo_ || fbo_->size() != size) {
      fbo_ = std::make_unique<QOpenGLFramebufferObject>(size, QOpenGLFramebufferObject::NoAttachment,
                                                        GL_TEXTURE_2D, GL_RGBA8);
    }
    gl.glBindFramebuffer(GL_FRAMEBUFFER, fbo_->handle());
    gl.glViewport(0, 0, size.width(), size.height());
    gl.glClearColor(clear[0], clear[1], clear[2], clear[3]);
    opaque_ = clear[3] >= 1.0f;
    gl.glClear(GL_COLOR_BUFFER_BIT);
    viewSize_ = view.viewport();
    zoom_ = cam.zoom();
    world_ = cam.visibleWorld();
    valid_ = false;
  }
  void end(QOpenGLExtraFunctions& gl) {
    gl.glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previousFbo_));
    gl.glViewport(previousViewport_[0], previousViewport_[1], previousViewport_[2], previousViewport_[3]);
    valid_ = true;
  }

  // Copies the layer 1:1 into the bound draw framebuffer (no shading, no blending: llvmpipe does
  // it as a memory copy). Only for an opaque layer at the exact zoom whose pixels map onto the
  // GL viewport one to one; returns false when that does not hold (composite with a quad then).
  bool blit(QOpenGLExtraFunctions& gl, const ViewCamera& view) const {
    if (!valid() || !opaque_ || !exactZoom(view)) return false;
    GLint vp[4] = {0, 0, 0, 0};
    gl.glGetIntegerv(GL_VIEWPORT, vp);
    const int w = view.viewport().width();
    const int h = view.viewport().height();
    if (vp[0] != 0 || vp[1] != 0 || vp[2] != w || vp[3] != h) return false;  // device pixel ratio != 1
    const QPointF origin = view.worldToScreen(QVector2D(static_cast<float>(world_.left()),
                                                        static_cast<float>(world_.top())));
    const int px = static_cast<int>(std::lround(origin.x()));
    const int py = static_cast<int>(std::lround(origin.y()));
    const int srcX0 = -px;
    const int srcY0 = fbo_->height() + py - h;  // GL rows count from the bottom
    if (srcX0 < 0 || srcY0 < 0 || srcX0 + w > fbo_->width() || srcY0 + h > fbo_->height()) return false;
    GLint drawFbo = 0;
    gl.glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &drawFbo);
    gl.glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_->handle());
    gl.glBlitFramebuffer(srcX0, srcY0, srcX0 + w, srcY0 + h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    gl.glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(drawFbo));
    return true;
  }

  GLuint texture() const { return fbo_ ? fbo_->texture() : 0; }
  // World rectangle the texture covers: left, top, right, bottom.
  const QRectF& world() const { return world_; }

 private:
  std::unique_ptr<QOpenGLFramebufferObject> fbo_;
  bool valid_ = false;
  bool opaque_ = false;
  QSize viewSize_;
  float zoom_ = 1.0f;
  QRectF world_;
  GLint previousFbo_ = 0;
  GLint previousViewport_[4] = {0, 0, 0, 0};
};

}  // namespace orch::graphview
