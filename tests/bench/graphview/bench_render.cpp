#include "bench_render.h"

#include "model/topology_generator.h"
#include "render/graph_widget.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QOpenGLContext>
#include <QOpenGLFunctions>

#include <algorithm>
#include <vector>

using namespace orch::graphview;

namespace {

// Renders `frames` frames, calling `perFrame(k)` before each; includes GL completion (glFinish).
QJsonObject measure(GraphWidget& w, int frames, const std::function<void(int)>& perFrame) {
  std::vector<double> times;
  times.reserve(frames);
  QElapsedTimer total;
  total.start();
  for (int k = 0; k < frames; ++k) {
    QElapsedTimer t;
    t.start();
    perFrame(k);
    w.repaint();
    w.makeCurrent();
    w.context()->functions()->glFinish();
    w.doneCurrent();
    QCoreApplication::processEvents();
    times.push_back(t.nsecsElapsed() / 1e6);
  }
  const double wall = total.nsecsElapsed() / 1e6;
  std::sort(times.begin(), times.end());
  QJsonObject r;
  r["frames"] = frames;
  r["frame_ms_mean"] = wall / frames;
  r["frame_ms_p50"] = times[times.size() / 2];
  r["frame_ms_p95"] = times[times.size() * 95 / 100];
  r["fps"] = 1000.0 * frames / wall;
  r["nodes_drawn"] = w.renderStats().nodes;
  r["edges_drawn"] = w.renderStats().edges;
  r["labels_drawn"] = w.renderStats().labels;
  return r;
}

}  // namespace

QJsonObject benchRender(bool quick) {
  QJsonObject out;
  if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
    out["skipped"] = "no display; run under xvfb-run";
    return out;
  }
  GraphWidget w;
  w.resize(1280, 800);
  w.setTrafficAnimation(false);  // frames are driven by the loop below
  TopologySpec spec;
  spec.targetNodes = 10000;
  TopologyGenerator generator(spec);
  w.applyDelta(generator.generate());
  w.show();
  QElapsedTimer settle;
  settle.start();
  for (int i = 0; i < 50 && !w.isVisible(); ++i) QCoreApplication::processEvents();
  const bool settled = w.waitForLayout(120000);
  out["settle_ms_in_widget"] = settle.nsecsElapsed() / 1e6;
  out["settled"] = settled;
  w.repaint();
  if (!w.context() || !w.context()->isValid()) {
    out["skipped"] = "no OpenGL context";
    return out;
  }
  w.makeCurrent();
  out["gl_renderer"] = QString::fromLatin1(reinterpret_cast<const char*>(w.context()->functions()->glGetString(GL_RENDERER)));
  out["gl_version"] = QString::fromLatin1(reinterpret_cast<const char*>(w.context()->functions()->glGetString(GL_VERSION)));
  w.doneCurrent();
  const auto snap = w.layoutThread().snapshot();
  out["nodes"] = snap->graph->nodeCount();
  out["edges"] = snap->graph->edgeCount();
  out["viewport"] = QString("%1x%2").arg(w.width()).arg(w.height());

  const int frames = quick ? 30 : 120;
  w.setAutoFit(false);
  out["pan_fit_zoom"] = measure(w, frames, [&](int k) { w.camera().pan(QPointF(k % 2 ? 3 : -3, 2)); });
  w.camera().zoomAround(QPointF(640, 400), 4.0f);
  out["pan_zoomed_4x"] = measure(w, frames, [&](int k) { w.camera().pan(QPointF(k % 2 ? 4 : -4, 3)); });
  w.fitToView();
  w.setTrafficAnimation(true);
  // Live: 1% of nodes per second at the target 30 frames/s = one 1% batch every 30 frames.
  out["live_updates_pan"] = measure(w, frames, [&](int k) {
    if (k % 30 == 0) w.applyDelta(generator.liveUpdate(w.model(), 0.01));
    w.camera().pan(QPointF(k % 2 ? 3 : -3, 2));
  });
  return out;
}
