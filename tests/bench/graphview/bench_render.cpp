#include "bench_render.h"

#include "model/topology_generator.h"
#include "render/graph_widget.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QEventLoop>
#include <QTimer>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <vector>

using namespace orch::graphview;

namespace {

// CPU time of the whole process (GUI thread, layout thread and llvmpipe's rasteriser threads).
double processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// One-minute load average, so figures taken on a shared machine can be judged.
double loadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = -1.0;
  in >> load;
  return load;
}

// Renders `frames` frames, calling `perFrame(k)` before each; includes GL completion (glFinish).
QJsonObject measure(GraphWidget& w, int frames, const std::function<void(int)>& perFrame) {
  std::vector<double> times;
  times.reserve(frames);
  const double load = loadAverage();
  QElapsedTimer total;
  total.start();
  const double cpuStart = processCpuMs();
  int rebuilt = 0;
  int blitted = 0;
  double paintMs = 0.0;
  for (int k = 0; k < frames; ++k) {
    QElapsedTimer t;
    t.start();
    perFrame(k);
    w.repaint();
    if (w.renderStats().layerRebuilt) ++rebuilt;
    if (w.renderStats().blitted) ++blitted;
    paintMs += w.lastPaintMs();
    w.makeCurrent();
    w.context()->functions()->glFinish();
    w.doneCurrent();
    QCoreApplication::processEvents();
    times.push_back(t.nsecsElapsed() / 1e6);
  }
  const double wall = total.nsecsElapsed() / 1e6;
  const double cpu = processCpuMs() - cpuStart;
  std::sort(times.begin(), times.end());
  QJsonObject r;
  r["frames"] = frames;
  r["frame_ms_mean"] = wall / frames;
  r["frame_ms_p50"] = times[times.size() / 2];
  r["frame_ms_p95"] = times[times.size() * 95 / 100];
  r["fps"] = 1000.0 * frames / wall;
  r["cpu_ms_per_frame"] = cpu / frames;
  r["paintgl_ms_mean"] = paintMs / frames;  // GL command submission only (rasterising is asynchronous)
  r["layer_rebuilds"] = rebuilt;     // frames that rasterised the cached layer again
  r["layer_copies"] = blitted;       // frames that were a 1:1 copy of the cached layer
  r["load_average_1min"] = load;
  r["nodes_drawn"] = w.renderStats().nodes;
  r["edges_drawn"] = w.renderStats().edges;
  r["labels_drawn"] = w.renderStats().labels;
  r["edges_animated_live"] = w.renderStats().movingEdges;
  return r;
}

}  // namespace

QJsonObject benchRender(bool quick) {
  QJsonObject out;
  if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
    out["skipped"] = "no display; run under xvfb-run";
    return out;
  }
  {
    // Floor: an empty widget of the same size (clear + Qt's composition + present on Xvfb).
    GraphWidget empty;
    empty.resize(1280, 800);
    empty.show();
    for (int i = 0; i < 50 && !empty.isVisible(); ++i) QCoreApplication::processEvents();
    empty.repaint();
    if (empty.context() && empty.context()->isValid()) {
      out["empty_widget_floor"] = measure(empty, quick ? 30 : 60, [](int) {});
    }
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
  // Zoomed in, traffic dashes move: edges are drawn live every frame under the cached nodes.
  w.setTrafficAnimation(true);
  out["pan_zoomed_4x_animated"] = measure(w, frames, [&](int k) { w.camera().pan(QPointF(k % 2 ? 4 : -4, 3)); });
  w.setTrafficAnimation(false);
  // Wheel zoom gesture (the cached layer is composited scaled until the gesture pauses).
  out["wheel_zoom"] = measure(w, frames, [&](int k) {
    const QPointF at(600 + (k % 7) * 5, 380);
    QWheelEvent wheel(at, w.mapToGlobal(at), QPoint(), QPoint(0, k % 10 < 5 ? 40 : -40), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(&w, &wheel);
  });
  w.fitToView();
  w.setTrafficAnimation(true);
  // Live: 1% of nodes per second at the target 30 frames/s = one 1% batch every 30 frames.
  out["live_updates_pan"] = measure(w, frames, [&](int k) {
    if (k % 30 == 0) w.applyDelta(generator.liveUpdate(w.model(), 0.01));
    w.camera().pan(QPointF(k % 2 ? 3 : -3, 2));
  });

  // While the layout moves every node (reheated), at fit zoom.
  w.fitToView();
  w.layoutThread().reheatAll();
  out["layout_running_pan"] = measure(w, frames, [&](int k) { w.camera().pan(QPointF(k % 2 ? 3 : -3, 2)); });

  // Self-check: a frame copied from the cached layer after a pan equals a freshly rasterised one
  // (the zoom is nudged by one ulp to force the re-render).
  {
    w.setTrafficAnimation(false);
    w.waitForLayout(30000);
    w.fitToView();
    w.camera().zoomAround(QPointF(640, 400), 2.0f);
    w.repaint();
    QImage cached;
    bool copied = false;
    for (int attempt = 0; attempt < 3 && !copied; ++attempt) {  // a late snapshot forces a rebuild
      w.camera().pan(QPointF(37, 23));
      cached = w.grabFramebuffer();
      copied = w.renderStats().blitted && !w.renderStats().layerRebuilt;
    }
    w.camera().setZoom(std::nextafter(w.camera().zoom(), ViewCamera::kMaxZoom));
    const QImage fresh = w.grabFramebuffer();
    qint64 differing = 0;
    for (int y = 0; y < std::min(cached.height(), fresh.height()); ++y) {
      for (int x = 0; x < std::min(cached.width(), fresh.width()); ++x) {
        const QRgb a = cached.pixel(x, y);
        const QRgb b = fresh.pixel(x, y);
        if (std::abs(qRed(a) - qRed(b)) > 40 || std::abs(qGreen(a) - qGreen(b)) > 40 ||
            std::abs(qBlue(a) - qBlue(b)) > 40) {
          ++differing;
        }
      }
    }
    QJsonObject check;
    check["cached_frame_was_copy"] = copied;
    check["fresh_frame_rebuilt"] = w.renderStats().layerRebuilt;
    check["pixels_differing_fraction"] = static_cast<double>(differing) / std::max<qint64>(1, qint64(cached.width()) * cached.height());
    out["cache_vs_fresh"] = check;
    w.setTrafficAnimation(true);
    w.fitToView();
  }

  // Idle: a settled graph with traffic at fit zoom (dashes not visible) should cost ~no CPU.
  w.waitForLayout(30000);
  w.fitToView();
  w.repaint();
  const double idleCpu = processCpuMs();
  QElapsedTimer idle;
  idle.start();
  QEventLoop loop;
  QTimer::singleShot(2000, &loop, &QEventLoop::quit);
  loop.exec();
  QJsonObject idleResult;
  idleResult["cpu_ms_per_s"] = (processCpuMs() - idleCpu) / (idle.nsecsElapsed() / 1e9);
  idleResult["load_average_1min"] = loadAverage();
  out["idle_settled_fit_zoom"] = idleResult;
  return out;
}
