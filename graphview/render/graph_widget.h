#pragma once

#include "layout/layout_thread.h"
#include "model/graph_model.h"
#include "render/graph_renderer.h"
#include "render/node_style.h"
#include "render/view_camera.h"

#include <QElapsedTimer>
#include <QOpenGLWidget>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace orch::graphview {

// The topology view: owns a GraphModel, lays it out on a LayoutThread and draws the latest
// snapshot with GraphRenderer. Input: wheel zooms around the cursor; drag on empty space pans
// (Shift+drag draws a rubber band); click selects (Ctrl toggles); drag a node pins it there;
// double-click activates; keys: arrows move the selection, Enter activates, Escape clears,
// F fits, +/- zoom, U unpins the selection, C collapses the selection's parent group, E expands.
class GraphWidget : public QOpenGLWidget {
  Q_OBJECT

 public:
  explicit GraphWidget(QWidget* parent = nullptr, const QString& layoutName = QStringLiteral("force-directed"));
  ~GraphWidget() override;

  // Model access and changes; each re-projects the model and hands it to the layout thread.
  const GraphModel& model() const { return model_; }
  ApplyReport applyDelta(const GraphDelta& delta);
  GroupResult collapseGroup(const QString& groupId);
  GroupResult expandGroup(const QString& groupId);

  // Mapping from node data to radius / colour / shape.
  void setNodeStyle(NodeStyle style);
  // Dims every node not matching; an empty function clears the search.
  void setSearchPredicate(std::function<bool(const VisibleNode&)> matches);
  void setBackground(QColor color);
  // Animated traffic dashes keep repainting while any edge carries traffic and dashes are visible
  // at the current zoom (zoomed out they are static); off = static frames.
  void setTrafficAnimation(bool enabled);

  QStringList selectedIds() const;
  void setSelection(const QStringList& ids);
  QString hoveredId() const { return hovered_; }

  // Pins a node at a world position (as dragging does) or releases it.
  void pinNode(const QString& id, QPointF world);
  void unpinNode(const QString& id);
  void fitToView();
  ViewCamera& camera() { return camera_; }
  // Stops automatic fitting while the layout runs (also happens on any user zoom/pan).
  void setAutoFit(bool enabled) { autoFit_ = enabled; }

  // Where a node is drawn in widget pixels, per the latest snapshot; nullopt when not visible.
  std::optional<QPointF> nodeScreenPosition(const QString& id) const;
  // The node drawn at a widget pixel, or an empty string.
  QString nodeAt(QPointF widgetPos) const;
  // Blocks until the layout is idle and its last snapshot is the one drawn (tests, benchmarks).
  bool waitForLayout(int timeoutMs);
  LayoutThread& layoutThread() { return *layout_; }
  const RenderStats& renderStats() const { return renderer_.stats(); }
  // Milliseconds the last paintGL took on the CPU side (GL work is asynchronous).
  double lastPaintMs() const { return lastPaintMs_; }
  QString glError() const { return glError_; }

 signals:
  void selectionChanged(const QStringList& ids);
  void nodeActivated(const QString& id);
  void hoveredChanged(const QString& id);

 protected:
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void submitGraph();
  void takeSnapshot();
  void refreshVisuals();
  void setHovered(const QString& id);
  void emitSelection();
  int selectedIndex() const;

  GraphModel model_;
  std::unique_ptr<LayoutThread> layout_;
  std::shared_ptr<const LayoutSnapshot> snapshot_;
  uint64_t visualsGraphVersion_ = UINT64_MAX;
  const VisibleGraph* visualsGraph_ = nullptr;
  NodeVisuals visuals_;
  std::vector<int> baseFlags_;
  GraphRenderer renderer_;
  ViewCamera camera_;
  NodeStyle style_ = NodeStyle::standard();
  std::function<bool(const VisibleNode&)> search_;
  QColor background_{24, 28, 36};
  QSet<QString> selected_;
  QString hovered_;
  bool autoFit_ = true;
  bool trafficAnimation_ = true;
  bool glReady_ = false;
  QString glError_;

  enum class Drag { None, Pan, Band, Node };
  Drag drag_ = Drag::None;
  QPointF pressPos_;
  QPointF lastPos_;
  QString pressNode_;
  bool moved_ = false;

  QTimer animationTimer_;
  // A zoom gesture composites the cached layer scaled; this fires once the gesture pauses and the
  // next frame re-renders the layer at the exact zoom.
  QTimer crispTimer_;
  bool zoomGesture_ = false;
  QElapsedTimer clock_;
  double lastPaintMs_ = 0.0;
};

}  // namespace orch::graphview
